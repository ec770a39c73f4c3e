#!/usr/bin/env bash
# Checks the service files with their platforms' own tools:
#   - the systemd unit as the .deb installs it, with systemd-analyze verify
#     (Debian's systemd package; it needs no systemd running). The .deb is
#     unpacked into a scratch root with the host's systemd units beside it,
#     so ExecStart's binary exists where the unit says and the targets the
#     unit orders itself after are known. Any warning fails the check:
#     systemd ignores a misspelt key or a bad value with only a warning.
#   - the launchd plist, parsed and its keys checked (.ci/check-plist.py).
# Usage: .ci/check-service-files.sh [PACKAGE.deb]  (default: builds one)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly name=odailies-uploader
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

deb="${1:-}"
if [ -z "$deb" ]; then
	TARGETS="linux/$(go env GOARCH)" DIST="$work/dist" packaging/release.sh 1.0.0
	deb="$(echo "$work/dist/"*.deb)"
fi
[ -f "$deb" ] || {
	echo "check-service-files: no .deb at $deb" >&2
	exit 1
}

echo "--- systemd-analyze verify ($(basename "$deb"))"
root="$work/root"
dpkg-deb -x "$deb" "$root"
unit="$root/usr/lib/systemd/system/$name.service"
[ -f "$unit" ] || {
	echo "FAIL: the .deb installs no /usr/lib/systemd/system/$name.service" >&2
	exit 1
}
# The units systemd itself ships (sysinit.target, network-online.target, …),
# without replacing the package's.
for dir in /lib/systemd/system /usr/lib/systemd/system; do
	[ -d "$dir" ] && cp -an "$dir/." "$root/usr/lib/systemd/system/"
done
set +e
out="$(systemd-analyze verify --root="$root" "$name.service" 2>&1)"
rc=$?
set -e
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	echo "FAIL: systemd-analyze verify $name.service (exit $rc)" >&2
	exit 1
fi
echo "ok: /usr/lib/systemd/system/$name.service, ExecStart $(sed -n 's/^ExecStart=//p' "$unit")"

echo "--- launchd plist"
.ci/check-plist.py packaging/darwin/$name.plist
