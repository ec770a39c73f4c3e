#!/bin/sh
# After the files are in place (dpkg postinst; rpm %post).
# Arguments: dpkg "configure [OLD-VERSION]" (OLD-VERSION only on upgrade),
# rpm "1" (install) or "2" and up (upgrade).
# A fresh install is not started: the config needs a token and a root first.
# An upgrade restarts the service only if it was running.
set -eu

user=odailies-uploader
unit=odailies-uploader.service
config=/etc/odailies-uploader/config.toml

case "${1:-}" in
configure) if [ -n "${2:-}" ]; then mode=upgrade; else mode=install; fi ;;
1) mode=install ;;
[0-9]*) mode=upgrade ;;
*) exit 0 ;; # abort-upgrade and the like: nothing was changed
esac

# The package sets these owners; set them again where the unpacker could
# not resolve the user's name.
chown "$user:$user" /var/lib/odailies-uploader /var/log/odailies-uploader
chmod 0700 /var/lib/odailies-uploader
chmod 0750 /var/log/odailies-uploader
if [ "$mode" = install ]; then
	chown "root:$user" "$config"
	chmod 0640 "$config"
fi

# Containers and build chroots have no running systemd: nothing to tell it.
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	if [ "$mode" = upgrade ]; then
		systemctl try-restart "$unit"
	fi
fi

if [ "$mode" = install ]; then
	cat <<MSG
odailies-uploader: set project_id, the token and the watch root in $config,
check it with:  odailies-uploader check -config $config
then start it:  systemctl enable --now $unit
MSG
fi
