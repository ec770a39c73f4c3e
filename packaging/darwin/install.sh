#!/usr/bin/env bash
# Installs or upgrades odailies-uploader as a macOS LaunchDaemon, from the
# folder this script is in (the unpacked release tarball). Run with sudo.
# The binary goes to /usr/local/bin, the plist to /Library/LaunchDaemons; the
# config (/Library/Application Support/odailies-uploader/config.toml) is
# created from the example only when missing, never overwritten. The daemon
# is loaded once `check -offline` accepts the config; until then the script
# says what to edit and stops, and running it again finishes the job.
set -euo pipefail
cd "$(dirname "$0")"

readonly name=odailies-uploader
readonly label=$name # must equal [service] name: start, stop and status look it up
readonly bin=/usr/local/bin/$name
readonly support="/Library/Application Support/$name"
readonly config="$support/config.toml"
readonly logs=/Library/Logs/$name
readonly plist=/Library/LaunchDaemons/$label.plist

if [ "$(id -u)" -ne 0 ]; then
	echo "install: run it as root: sudo $0" >&2
	exit 1
fi

# An upgrade replaces a running binary: unload the old daemon first.
if launchctl print "system/$label" >/dev/null 2>&1; then
	launchctl bootout "system/$label"
fi

install -d -m 0755 /usr/local/bin "$support" "$logs"
install -m 0755 "$name" "$bin"
# A tarball fetched with a browser is quarantined; launchd would refuse it.
xattr -d com.apple.quarantine "$bin" 2>/dev/null || true
if [ ! -e "$config" ]; then
	install -m 0600 -o root -g wheel config.example.toml "$config"
fi
install -m 0644 -o root -g wheel "$label.plist" "$plist"

if ! "$bin" check -offline -config "$config"; then
	echo "install: edit $config (project_id, token, watch root), then run this script again" >&2
	exit 2
fi
launchctl enable "system/$label"
launchctl bootstrap system "$plist"
echo "install: $label is running; log: $logs/$name.log"
