#!/usr/bin/env bash
# Runs shellcheck on every shell script in the repository: the *.sh files
# and every tracked file whose first line starts a sh or bash script.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts=()
while IFS= read -r -d '' f; do
	case "$f" in
	*.sh) scripts+=("$f") ;;
	*) if head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba|da|k)?sh( |$)'; then scripts+=("$f"); fi ;;
	esac
done < <(git ls-files -z)
printf '%s\n' "${scripts[@]}"
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
