#!/usr/bin/env bash
# Builds the .deb twice (1.0.0, then 1.0.1 as an upgrade) and exercises it on
# this machine with dpkg: install, files, modes, owners, user, unit, the
# binary, an edited config, upgrade over it, remove, purge. It installs a
# real package: run it as root on a disposable machine (CI), never on a
# machine that has odailies-uploader installed. It also prints the
# dpkg-deb -c and rpm -qlp listings. Works with or without a running
# systemd; with one, it also checks the service's enablement survives the
# upgrade and removal stops and disables it.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly name=odailies-uploader
readonly config=/etc/$name/config.toml
readonly unit=/usr/lib/systemd/system/$name.service
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_stat PATH MODE OWNER:GROUP checks a path's octal mode and owners.
expect_stat() {
	local got
	got="$(stat -c '%a %U:%G' "$1" 2>/dev/null || echo missing)"
	[ "$got" = "$2 $3" ] || fail "$1: $got, want $2 $3"
}

expect_gone() {
	[ ! -e "$1" ] || fail "$1 still exists"
}

expect_there() {
	[ -e "$1" ] || fail "$1 is gone"
}

systemd_running() {
	[ -d /run/systemd/system ]
}

preflight() {
	[ "$(id -u)" -eq 0 ] || {
		echo "package-test: run as root (it installs a package)" >&2
		exit 1
	}
	command -v dpkg >/dev/null || {
		echo "package-test: needs dpkg" >&2
		exit 1
	}
	if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'installed\|config-files'; then
		echo "package-test: $name is already installed here; use a disposable machine" >&2
		exit 1
	fi
}

# build VERSION DIR builds the Linux packages for this machine's arch.
build() {
	TARGETS="linux/$(go env GOARCH)" DIST="$2" packaging/release.sh "$1"
}

show_listings() {
	echo "--- dpkg-deb -c"
	dpkg-deb -c "$deb1"
	if command -v rpm >/dev/null; then
		echo "--- rpm -qlpv"
		rpm -qlpv "$work/v1/"*.rpm
		rpm -qp --qf '[%{FILEFLAGS:fflags}\t%{FILENAMES}\n]' "$work/v1/"*.rpm | grep -q '^cn	'"$config"'$' ||
			fail "rpm: $config is not %config(noreplace)"
	fi
}

check_installed() {
	local passwd
	passwd="$(getent passwd "$name")" || fail "no user $name"
	local uid
	uid="$(id -u "$name" 2>/dev/null || echo 0)"
	if [ "$uid" -le 0 ] || [ "$uid" -ge 1000 ]; then
		fail "user $name: uid $uid, want a system uid"
	fi
	case "$passwd" in
	*:/var/lib/$name:*/nologin | *:/var/lib/$name:/bin/false) ;;
	*) fail "user $name: $passwd, want home /var/lib/$name and no login shell" ;;
	esac
	getent group "$name" >/dev/null || fail "no group $name"

	expect_stat /usr/bin/$name 755 root:root
	expect_stat /etc/$name 755 root:root
	expect_stat "$config" 640 "root:$name"
	expect_stat /var/lib/$name 700 "$name:$name"
	expect_stat /var/log/$name 750 "$name:$name"
	expect_stat "$unit" 644 root:root
	cmp -s "$unit" packaging/linux/$name.service || fail "$unit differs from packaging/linux/$name.service"
	grep -qx "ExecStart=/usr/bin/$name run -config $config" "$unit" || fail "$unit does not start the packaged binary and config"
	dpkg-query -W -f='${Conffiles}\n' "$name" | grep -q " $config " || fail "$config is not a conffile"
	if command -v systemd-analyze >/dev/null && systemd_running; then
		systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
	fi
}

# check_version WANT runs the installed binary's version command.
check_version() {
	local out
	out="$(/usr/bin/$name version)" || fail "$name version failed"
	echo "$out"
	grep -q "$1" <<<"$out" || fail "version: want $1"
}

# edit_config points the installed config at a test root and sets a token.
edit_config() {
	root="$work/dailies"
	mkdir -p "$root/_graded" "$root/_thumbnails"
	chmod 755 "$work" "$root"
	# A loopback API: a service started under systemd must not call the real one.
	sed -i \
		-e 's|^#\{0,1\}base_url = .*|base_url = "http://127.0.0.1:9/api/v1"|' \
		-e 's|^project_id = .*|project_id = "ci-project"|' \
		-e 's|^token = .*|token = "ci-token-0123456789abcdef"|' \
		-e "s|^root = .*|root = \"$root\"|" "$config"
	grep -q "^root = \"$root\"" "$config" || fail "could not edit root in $config"
	grep -q '^token = "ci-token' "$config" || fail "could not edit the token in $config"
	grep -q '^base_url = "http://127.0.0.1:9' "$config" || fail "could not edit base_url in $config"
	edited_sum="$(sha256sum "$config")"
}

check_config() {
	/usr/bin/$name check -offline -config "$config" || fail "check -offline as root"
	# As the service runs: the config through its group, the root by its mode.
	runuser -u "$name" -- /usr/bin/$name check -offline -config "$config" >/dev/null ||
		fail "check -offline as $name"
}

check_upgraded() {
	[ "$(sha256sum "$config")" = "$edited_sum" ] || fail "upgrade changed the edited $config"
	local extra
	for extra in "$config.dpkg-new" "$config.dpkg-dist" "$config.dpkg-old"; do
		expect_gone "$extra"
	done
	expect_there /var/lib/$name/marker
}

check_removed() {
	expect_gone /usr/bin/$name
	expect_gone "$unit"
	expect_there "$config"
	expect_there /var/lib/$name/marker
	expect_there /var/log/$name/$name.log
	getent passwd "$name" >/dev/null || fail "remove deleted user $name"
	dpkg-query -W -f='${Status}\n' "$name" | grep -q config-files || fail "after remove: not in config-files state"
}

check_purged() {
	expect_gone /etc/$name
	expect_gone /var/lib/$name
	expect_gone /var/log/$name
	! getent passwd "$name" >/dev/null || fail "purge kept user $name"
	! getent group "$name" >/dev/null || fail "purge kept group $name"
	! dpkg-query -W "$name" >/dev/null 2>&1 || fail "purge left a dpkg record"
}

# With systemd: enable and start it, as the admin would after the config.
systemd_enable() {
	systemd_running || return 0
	systemctl enable --now "$name" || fail "systemctl enable --now"
}

systemd_check_enabled() {
	systemd_running || return 0
	[ "$(systemctl is-enabled "$name" 2>&1)" = enabled ] || fail "$1: service no longer enabled"
}

systemd_check_stopped() {
	systemd_running || return 0
	! systemctl is-active --quiet "$name" || fail "remove left the service running"
	[ ! -e /etc/systemd/system/multi-user.target.wants/$name.service ] || fail "remove left the service enabled"
}

preflight
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build 1.0.0 "$work/v1"
build 1.0.1 "$work/v2"
deb1="$(echo "$work/v1/"*.deb)"
deb2="$(echo "$work/v2/"*.deb)"
show_listings

echo "--- install 1.0.0"
dpkg -i "$deb1" </dev/null
check_installed
check_version 1.0.0
edit_config
check_config
# What a running daemon leaves: state and a log, which only purge deletes.
touch /var/lib/$name/marker
runuser -u "$name" -- touch /var/log/$name/$name.log
systemd_enable

echo "--- upgrade to 1.0.1"
# No --force-conf*: an unchanged packaged config must not prompt (stdin is
# closed, so a prompt fails the test) nor replace the edited one.
dpkg -i "$deb2" </dev/null
check_installed
check_version 1.0.1
check_upgraded
check_config
systemd_check_enabled upgrade

echo "--- remove"
dpkg -r "$name"
check_removed
systemd_check_stopped

echo "--- purge"
dpkg -P "$name"
check_purged

if [ "$failures" -gt 0 ]; then
	echo "package-test: $failures failures" >&2
	exit 1
fi
echo "package-test: ok"
