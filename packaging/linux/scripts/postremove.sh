#!/bin/sh
# After the files are removed (dpkg postrm; rpm %postun).
# Arguments: dpkg "remove|purge|upgrade|abort-install|...", rpm "0" (erase)
# or "1" (upgrade). Remove keeps the config, state, log and user; purge
# (dpkg only: rpm has none) deletes them.
set -eu

user=odailies-uploader
unit=odailies-uploader.service

case "${1:-}" in
remove | purge | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	systemctl reset-failed "$unit" >/dev/null 2>&1 || true # fails when it never failed
fi

if [ "$1" = purge ]; then
	rm -rf /var/lib/odailies-uploader /var/log/odailies-uploader /etc/odailies-uploader
	if getent passwd "$user" >/dev/null; then
		userdel "$user"
	fi
	if getent group "$user" >/dev/null; then
		groupdel "$user"
	fi
fi
