#!/usr/bin/env bash
# Unloads and removes the odailies-uploader LaunchDaemon and binary. The
# config, state and logs stay unless --purge is given. Run with sudo.
set -euo pipefail

readonly name=odailies-uploader
readonly label=$name

if [ "$(id -u)" -ne 0 ]; then
	echo "uninstall: run it as root: sudo $0" >&2
	exit 1
fi
if launchctl print "system/$label" >/dev/null 2>&1; then
	launchctl bootout "system/$label"
fi
rm -f "/Library/LaunchDaemons/$label.plist" "/usr/local/bin/$name"
if [ "${1:-}" = --purge ]; then
	rm -rf "/Library/Application Support/$name" "/Library/Logs/$name"
fi
echo "uninstall: $label removed"
