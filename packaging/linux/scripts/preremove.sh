#!/bin/sh
# Before the files are removed (dpkg prerm; rpm %preun).
# Arguments: dpkg "remove|upgrade|deconfigure|failed-upgrade ...",
# rpm "0" (erase) or "1" (upgrade). On removal stop and disable the
# service; on upgrade leave it running: postinst restarts it.
set -eu

unit=odailies-uploader.service

case "${1:-}" in
remove | deconfigure | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl stop "$unit"
fi
# disable edits symlinks only, so it works without a running systemd too.
if command -v systemctl >/dev/null 2>&1; then
	if ! systemctl --no-reload disable "$unit" >/dev/null 2>&1; then
		echo "odailies-uploader: could not disable $unit; check /etc/systemd/system/*.wants" >&2
	fi
fi
