#!/bin/sh
# Before the files are unpacked (dpkg preinst; rpm %pre): create the system
# user the service runs as, so the state and log folders can be its own.
# Arguments: dpkg "install|upgrade [OLD]", rpm "1" (install) or "2" (upgrade).
set -eu

user=odailies-uploader
home=/var/lib/odailies-uploader

nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/sbin/nologin
[ -x "$nologin" ] || nologin=/bin/false

if ! getent group "$user" >/dev/null; then
	groupadd --system "$user"
fi
if ! getent passwd "$user" >/dev/null; then
	useradd --system --gid "$user" --home-dir "$home" --no-create-home \
		--shell "$nologin" --comment "oDailies uploader" "$user"
fi
