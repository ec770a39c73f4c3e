#!/usr/bin/env bash
# Checks a Windows Installer package that packaging/release.sh built, with
# msiinfo (Debian's msitools): it prints the File, Component, Directory,
# ServiceInstall, ServiceControl, Upgrade and MsiLockPermissionsEx tables
# and asserts that they hold what the installer promises (README, Windows):
#   - the program in Program Files\odailies-uploader, the config in
#     ProgramData\odailies-uploader, installed only when missing, never
#     replaced on upgrade nor removed on uninstall;
#   - the service registered to start automatically as LocalSystem with the
#     config's absolute path, started on install, stopped on install and
#     uninstall, deleted on uninstall;
#   - the stable UpgradeCode, an upgrade row that replaces any older (or the
#     same) version and a downgrade guard;
#   - the data folder locked to SYSTEM and Administrators;
#   - the platform (x64 or Arm64) the file name says, and an exe built for it.
#
# Usage: packaging/check-msi.sh FILE.msi...
#   MSI_VERSION  when set, the ProductVersion every package must have
set -euo pipefail

readonly upgrade_code='{6F1E2C0A-4B7D-4C55-9A3E-2D8B1F0C7A41}'
failures=0

fail() {
	echo "FAIL: $msi: $*" >&2
	failures=$((failures + 1))
}

# rows TABLE prints the table's rows, one a line, without its 3 header
# lines (msiinfo ends them with CR LF, and the last with nothing).
# A missing table has no rows (and fails the checks that want some).
rows() {
	has_table "$1" || return 0
	msiinfo export "$msi" "$1" | tr -d '\r' | tail -n +4
	echo
}

has_table() {
	local all
	all="$(msiinfo tables "$msi" | tr -d '\r')"
	grep -qxF "$1" <<<"$all"
}

# expect_row TABLE ROW checks that the table holds ROW (tab-separated)
# exactly. The rows are read whole first: grep -q stopping early would
# make the writer's SIGPIPE fail the pipeline.
expect_row() {
	local all
	all="$(rows "$1")"
	grep -qxF "$2" <<<"$all" || fail "$1: no row $(printf '%q' "$2")"
}

# expect_line TABLE PATTERN checks that a row of the table matches PATTERN.
expect_line() {
	local all
	all="$(rows "$1")"
	grep -q "$2" <<<"$all" || fail "$1: no row matching $(printf '%q' "$2")"
}

# expect_count TABLE N checks the table's number of rows.
expect_count() {
	local n
	n="$(rows "$1" | grep -c . || true)"
	[ "$n" -eq "$2" ] || fail "$1: $n rows, want $2"
}

# property NAME prints a Property table value.
property() {
	rows Property | awk -F '\t' -v k="$1" '$1 == k { print $2 }'
}

show() {
	local table
	for table in File Component Directory ServiceInstall ServiceControl Upgrade MsiLockPermissionsEx; do
		echo "--- $table"
		if has_table "$table"; then
			msiinfo export "$msi" "$table"
			echo
		else
			echo "(no $table table)"
		fi
	done
	echo "--- summary"
	msiinfo suminfo "$msi"
	echo
}

check_platform() {
	local want template
	case "$msi" in
	*_windows_amd64.msi) want='x64;1033' ;;
	*_windows_arm64.msi) want='Arm64;1033' ;;
	*) fail "name: want …_windows_amd64.msi or …_windows_arm64.msi" ;;
	esac
	template="$(msiinfo suminfo "$msi" | tr -d '\r' | sed -n 's/^Template: //p')"
	[ "$template" = "${want:-}" ] || fail "summary Template $template, want ${want:-?}"
	[ "$(msiinfo suminfo "$msi" | tr -d '\r' | sed -n 's/^Version: //p')" = '500 (1f4)' ] || fail "summary: want installer version 500"
}

# check_exe unpacks the package (msiextract) and reads the PE machine of
# the exe: 0x8664 for amd64, 0xaa64 for arm64.
check_exe() {
	local want dir exe offset machine
	case "$msi" in
	*_windows_amd64.msi) want=8664 ;;
	*_windows_arm64.msi) want=aa64 ;;
	*) return 0 ;;
	esac
	dir="$(mktemp -d)"
	if ! msiextract -C "$dir" "$msi" >/dev/null; then
		fail "msiextract could not unpack it"
		rm -rf "$dir"
		return 0
	fi
	exe="$dir/odailies-uploader/odailies-uploader.exe"
	if [ ! -f "$exe" ]; then
		fail "no odailies-uploader\\odailies-uploader.exe inside"
	else
		offset="$(od -An -t u4 -j 60 -N 4 "$exe" | tr -d ' ')"
		machine="$(od -An -t x2 -j "$((offset + 4))" -N 2 "$exe" | tr -d ' ')"
		[ "$machine" = "$want" ] || fail "the exe's PE machine is 0x$machine, want 0x$want"
	fi
	rm -rf "$dir"
}

check_properties() {
	version="$(property ProductVersion)"
	[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "ProductVersion $version: want MAJOR.MINOR.PATCH"
	if [ -n "${MSI_VERSION:-}" ] && [ "$version" != "$MSI_VERSION" ]; then
		fail "ProductVersion $version, want $MSI_VERSION"
	fi
	[ "$(property UpgradeCode)" = "$upgrade_code" ] || fail "UpgradeCode $(property UpgradeCode), want $upgrade_code"
	[[ "$(property ProductCode)" =~ ^\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$ ]] || fail "ProductCode $(property ProductCode): not an upper-case GUID"
	[ "$(property ALLUSERS)" = 1 ] || fail "ALLUSERS $(property ALLUSERS): want 1 (per machine)"
}

check_files() {
	expect_count File 3
	local size
	size="$(rows File | awk -F '\t' '$1 == "ProgramExe" { print $4 }')"
	[ "${size:-0}" -gt 1000000 ] || fail "File: odailies-uploader.exe is ${size:-0} bytes"
	expect_line File '^ProgramExe'$'\t''Program'$'\t''odailies-uploader\.exe'$'\t'
	expect_line File '^ExampleToml'$'\t''Example'$'\t''config\.example\.toml'$'\t'
	expect_line File '^ConfigToml'$'\t''Config'$'\t''config\.toml'$'\t'
}

check_components() {
	expect_count Component 3
	# Attributes 256: 64-bit; 400 = 256 + NeverOverwrite (128) + Permanent (16).
	expect_row Component $'Program\t{1D0B6A52-3C1E-4F6A-8A7E-5B2C9D4E6F10}\tINSTALLDIR\t256\t\tProgramExe'
	expect_row Component $'Example\t{3A4F8C21-7E5B-4D6C-8B1A-9C0D2E3F4A52}\tINSTALLDIR\t256\t\tExampleToml'
	expect_row Component $'Config\t{2E1C7B63-4D2F-4A7B-9B8F-6C3D0E5F7A21}\tDATADIR\t400\t\tConfigToml'
	expect_row Directory $'INSTALLDIR\tProgramFiles64Folder\todailies-uploader'
	expect_row Directory $'DATADIR\tCommonAppDataFolder\todailies-uploader'
	expect_row CreateFolder $'DATADIR\tConfig'
}

check_service() {
	expect_count ServiceInstall 1
	# Type 16 own process, start 2 automatic, error control 1 normal.
	expect_row ServiceInstall $'Service\todailies-uploader\toDailies uploader\t16\t2\t1\t\t\tLocalSystem\t\trun -config "[CommonAppDataFolder]odailies-uploader\\config.toml"\tProgram\tUploads graded clips and thumbnails to oDailies'
	expect_count ServiceControl 1
	# Event 163: start on install (1), stop on install (2) and uninstall
	# (32), delete on uninstall (128). Wait 0: a service that cannot start
	# yet does not roll the installation back.
	expect_row ServiceControl $'ServiceControl\todailies-uploader\t163\t\t0\tProgram'
	local action
	for action in StopServices DeleteServices InstallServices StartServices; do
		expect_line InstallExecuteSequence "^$action"$'\t'
	done
}

check_upgrade() {
	expect_count Upgrade 2
	# 513: migrate features (1), VersionMax inclusive (512): every older
	# version and a rebuild of this one are removed first.
	expect_row Upgrade "$upgrade_code"$'\t\t'"$version"$'\t\t513\t\tWIX_UPGRADE_DETECTED'
	# 2: only detect a newer version, which the launch condition refuses.
	expect_row Upgrade "$upgrade_code"$'\t'"$version"$'\t\t\t2\t\tWIX_DOWNGRADE_DETECTED'
	expect_line LaunchCondition '^NOT WIX_DOWNGRADE_DETECTED'$'\t'
	local validate remove
	validate="$(rows InstallExecuteSequence | awk -F '\t' '$1 == "InstallValidate" { print $3 }')"
	remove="$(rows InstallExecuteSequence | awk -F '\t' '$1 == "RemoveExistingProducts" { print $3 }')"
	if [ -z "$remove" ] || [ -z "$validate" ] || [ "$remove" -le "$validate" ]; then
		fail "InstallExecuteSequence: RemoveExistingProducts (${remove:-none}) must follow InstallValidate (${validate:-none})"
	fi
}

check_acl() {
	expect_count MsiLockPermissionsEx 1
	expect_row MsiLockPermissionsEx $'DataFolder\tDATADIR\tCreateFolder\tD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)\t'
}

[ "$#" -gt 0 ] || {
	echo "usage: $0 FILE.msi..." >&2
	exit 2
}
command -v msiinfo >/dev/null || {
	echo "check-msi: msiinfo is needed (Debian: apt-get install msitools)" >&2
	exit 2
}
for msi in "$@"; do
	echo "=== $msi"
	[ -f "$msi" ] || {
		fail "no such file"
		continue
	}
	show
	check_platform
	check_exe
	check_properties
	check_files
	check_components
	check_service
	check_upgrade
	check_acl
done
if [ "$failures" -gt 0 ]; then
	echo "check-msi: $failures failures" >&2
	exit 1
fi
echo "check-msi: ok ($# packages)"
