#!/usr/bin/env bash
# Builds a release into dist/: for each target a binary cross-compiled with
# the version and commit stamped in, an archive per OS (tar.gz for Linux and
# macOS, zip for Windows), a .deb and an .rpm per Linux architecture (nfpm,
# installed pinned when missing), a Windows Installer package per Windows
# architecture (wixl and msibuild, Debian's wixl and msitools packages), and
# SHA256SUMS over all of them.
#
# Usage: packaging/release.sh [VERSION]
#   VERSION  e.g. 1.2.3 (a leading v is dropped); default: the latest v* tag
#            from git describe, else 0.0.0-dev
# Environment:
#   TARGETS  GOOS/GOARCH list; default: all six supported targets
#   DIST     output folder; default: dist (stale outputs in it are removed)
#   COMMIT   default: git rev-parse HEAD, with -dirty if tracked files changed
#   NO_MSI   set to 1 to build the Windows zips without the MSI (no wixl here)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly NFPM_VERSION=v2.45.2
readonly ALL_TARGETS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
readonly NAME=odailies-uploader

die() {
	echo "release: $*" >&2
	exit 1
}

# default_version is the latest v* tag as git describe sees it, or 0.0.0-dev.
default_version() {
	local v
	if v="$(git describe --tags --match 'v[0-9]*' 2>/dev/null)"; then
		echo "${v#v}"
	else
		echo 0.0.0-dev
	fi
}

# nfpm_bin prints the path of the pinned nfpm, installing it when missing.
# It lives in its own folder so another nfpm on PATH is never used.
nfpm_bin() {
	local dir
	dir="${XDG_CACHE_HOME:-$HOME/.cache}/$NAME/nfpm-$NFPM_VERSION"
	if [ ! -x "$dir/nfpm" ]; then
		echo "release: installing nfpm $NFPM_VERSION into $dir" >&2
		mkdir -p "$dir"
		(cd / && GOFLAGS='' GOBIN="$dir" go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION") >&2
	fi
	echo "$dir/nfpm"
}

# build cross-compiles the binary for $1 (GOOS) and $2 (GOARCH) into $3.
build() {
	echo "release: build $1/$2" >&2
	CGO_ENABLED=0 GOOS="$1" GOARCH="$2" go build -trimpath \
		-ldflags "-s -w -X github.com/odailies/odailies-uploader/internal/buildinfo.version=$version -X github.com/odailies/odailies-uploader/internal/buildinfo.commit=$commit" \
		-o "$3" ./cmd/odailies-uploader
}

# install_doc prints the README's Install section: the archives' INSTALL.md.
install_doc() {
	local doc
	doc="$(awk '/^## Install$/ { on = 1; print; next } on && /^## / { exit } on' README.md)"
	[ -n "$doc" ] || die "README.md has no '## Install' section for INSTALL.md"
	printf '%s\n' "$doc"
}

# stage copies what the archive for $1 (GOOS) holds, beside the binary, into $2.
stage() {
	cp config.example.toml "$2/"
	install_doc >"$2/INSTALL.md"
	case "$1" in
	linux) cp packaging/linux/$NAME.service "$2/" ;;
	darwin) cp packaging/darwin/$NAME.plist packaging/darwin/install.sh packaging/darwin/uninstall.sh "$2/" ;;
	windows) cp packaging/windows/install.ps1 packaging/windows/uninstall.ps1 "$2/" ;;
	esac
}

# archive packs folder $2 (inside $1) into $3: zip or tar.gz by its name,
# with fixed times and owners so the same commit gives the same bytes.
archive() {
	local stamp
	stamp="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
	if touch --version >/dev/null 2>&1; then
		find "$1/$2" -exec touch -h -d "@$stamp" {} +
	fi
	case "$3" in
	*.zip)
		command -v zip >/dev/null || die "zip is needed for the Windows archives"
		(cd "$1" && zip -q -r -X - "$2") >"$3"
		;;
	*)
		local gnu=()
		if tar --version 2>/dev/null | grep -q 'GNU tar'; then
			gnu=(--sort=name --owner=0 --group=0 --numeric-owner)
		fi
		tar -C "$1" ${gnu[@]+"${gnu[@]}"} -cf - "$2" | gzip -n -9 >"$3"
		;;
	esac
}

# linux_packages builds the .deb and .rpm for $1 (GOARCH) from binary $2.
linux_packages() {
	local nfpm packager
	nfpm="$(nfpm_bin)"
	for packager in deb rpm; do
		VERSION="$version" ARCH="$1" BINARY="$2" \
			"$nfpm" package --config packaging/nfpm.yaml --packager "$packager" --target "$dist/" >&2
	done
}

# msi_version maps a release version to the numeric MAJOR.MINOR.PATCH that
# Windows Installer compares: a prerelease or build suffix is dropped
# (1.2.3-rc.1 and 1.2.3+ci.7 are 1.2.3; the package's upgrade row is
# inclusive, so each of them upgrades the other in place, and 0.0.0-dev is
# 0.0.0). Windows Installer allows at most 255.255.65535.
msi_version() {
	local v="${1%%[-+]*}" major minor patch
	IFS=. read -r major minor patch <<<"$v"
	if [ "$((10#$major))" -gt 255 ] || [ "$((10#$minor))" -gt 255 ] || [ "$((10#$patch))" -gt 65535 ]; then
		die "version $1: an MSI version is at most 255.255.65535"
	fi
	echo "$((10#$major)).$((10#$minor)).$((10#$patch))"
}

# guid_from prints a GUID made from the SHA-256 of its arguments: the same
# release of the same commit always gets the same ProductCode.
guid_from() {
	local h
	h="$(printf '%s\n' "$@" | sha256sum | cut -c1-32 | tr 'a-f' 'A-F')"
	echo "{${h:0:8}-${h:8:4}-5${h:13:3}-A${h:17:3}-${h:20:12}}"
}

# msi_query runs SQL queries on the package $1 with msibuild.
msi_query() {
	local msi="$1" q args=()
	shift
	for q in "$@"; do
		args+=(-q "$q")
	done
	msibuild "$msi" "${args[@]}" || die "msibuild $msi: a query failed"
}

# windows_msi builds the Windows Installer package for $1 (GOARCH) from the
# staged folder $2 (the exe and config.example.toml) into dist/.
windows_msi() {
	local arch="$1" stage="$2" out template product msiv
	msiv="$(msi_version "$version")" || exit 1
	out="$dist/${NAME}_${version}_windows_${arch}.msi"
	case "$arch" in
	amd64) template='x64;1033' ;;
	# wixl 0.101 (Debian 12) knows no arm64; wixl's own arm64 support
	# differs from x64 only in this template, which msibuild sets below.
	arm64) template='Arm64;1033' ;;
	*) die "windows/$arch: no MSI for this architecture" ;;
	esac
	product="$(guid_from "$NAME" "$version" "$arch" "$commit")"
	if [[ "$commit" == *-dirty ]]; then
		# Uncommitted changes: another build of this name is other bytes.
		product="$(guid_from "$product" "$(date +%s%N)" "$$")"
	fi
	echo "release: msi windows/$arch" >&2
	(cd "$stage" && wixl -a x64 -o "$out" \
		-D "Version=$msiv" -D "ProductCode=$product" \
		-D "Exe=$NAME.exe" -D Example=config.example.toml \
		"$repo/packaging/windows/odailies-uploader.wxs") >&2 ||
		die "wixl: could not build $out"
	finish_msi "$out" "$product" "$template"
}

# msi_property prints the Property table value $2 of package $1
# (msiinfo ends its lines with CR LF).
msi_property() {
	msiinfo export "$1" Property | tr -d '\r' | awk -F '\t' -v k="$2" '$1 == k { print $2 }'
}

# finish_msi adds to package $1 what wixl cannot say, by ProductCode $2 and
# platform template $3; packaging/check-msi.sh checks every one.
finish_msi() {
	local msi="$1" upgrade='{6F1E2C0A-4B7D-4C55-9A3E-2D8B1F0C7A41}' max
	max="$(msi_property "$msi" ProductVersion)"
	msi_query "$msi" \
		"UPDATE \`Component\` SET \`Attributes\`=400 WHERE \`Component\`='Config'" \
		"DELETE FROM \`Upgrade\` WHERE \`ActionProperty\`='WIX_UPGRADE_DETECTED'" \
		"INSERT INTO \`Upgrade\` (\`UpgradeCode\`,\`VersionMin\`,\`VersionMax\`,\`Language\`,\`Attributes\`,\`Remove\`,\`ActionProperty\`) VALUES ('$upgrade','','$max','',513,'','WIX_UPGRADE_DETECTED')" \
		"CREATE TABLE \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\` CHAR(72) NOT NULL, \`LockObject\` CHAR(72) NOT NULL, \`Table\` CHAR(32) NOT NULL, \`SDDL\` LONGCHAR NOT NULL, \`Condition\` CHAR(255) PRIMARY KEY \`MsiLockPermissionsEx\`)" \
		"INSERT INTO \`MsiLockPermissionsEx\` (\`MsiLockPermissionsEx\`,\`LockObject\`,\`Table\`,\`SDDL\`) VALUES ('DataFolder','DATADIR','CreateFolder','D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)')"
	# Component attributes 400: 64-bit (256), NeverOverwrite (128) and
	# Permanent (16): the config is installed only when missing, never
	# replaced, never removed. Upgrade attributes 513: migrate features (1),
	# VersionMax inclusive (512). The data folder's ACL: SYSTEM and
	# Administrators only, not inherited from ProgramData (Users may read
	# there), inherited by what the daemon creates in it.
	msibuild "$msi" -s "oDailies uploader" oDailies "$template" ||
		die "msibuild $msi: could not set the platform $template"
	[ "$(msi_property "$msi" ProductCode)" = "$2" ] ||
		die "$msi: ProductCode is not $2"
}

# release_target builds everything for one GOOS/GOARCH.
release_target() {
	local os="${1%/*}" arch="${1#*/}" exe="$NAME" dir ext=tar.gz
	if [ "$os" = windows ]; then
		exe="$NAME.exe"
		ext=zip
	fi
	dir="${NAME}_${version}_${os}_${arch}"
	mkdir -p "$work/$dir"
	build "$os" "$arch" "$work/$dir/$exe"
	stage "$os" "$work/$dir"
	archive "$work" "$dir" "$dist/$dir.$ext"
	if [ "$os" = linux ]; then
		linux_packages "$arch" "$work/$dir/$exe"
	fi
	if [ "$os" = windows ] && [ "${NO_MSI:-}" != 1 ]; then
		windows_msi "$arch" "$work/$dir"
	fi
}

# checksums writes SHA256SUMS in the format sha256sum -c reads.
checksums() {
	local sum=(sha256sum)
	command -v sha256sum >/dev/null || sum=(shasum -a 256)
	(cd "$dist" && find . -maxdepth 1 -type f -name "$NAME*" | sed 's|^\./||' | LC_ALL=C sort | xargs "${sum[@]}" >SHA256SUMS)
}

version="${1:-$(default_version)}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] ||
	die "version $version: want MAJOR.MINOR.PATCH with an optional -pre or +build suffix"
if [ -n "${COMMIT:-}" ]; then
	commit="$COMMIT"
else
	commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
	# Uncommitted changes to tracked files: say so in `version`.
	if ! git diff --quiet HEAD -- 2>/dev/null; then
		commit="$commit-dirty"
	fi
fi
repo="$(pwd)"
dist="${DIST:-dist}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"
rm -f "$dist/$NAME"[_-]* "$dist/SHA256SUMS"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ " ${TARGETS:-$ALL_TARGETS} " == *" windows/"* ]] && [ "${NO_MSI:-}" != 1 ]; then
	for tool in wixl msibuild msiinfo; do
		command -v "$tool" >/dev/null ||
			die "$tool is needed for the Windows MSI (Debian: apt-get install wixl msitools); NO_MSI=1 builds without it"
	done
fi
for target in ${TARGETS:-$ALL_TARGETS}; do
	case " $ALL_TARGETS " in
	*" $target "*) release_target "$target" ;;
	*) die "target $target: not one of $ALL_TARGETS" ;;
	esac
done
checksums
echo "release: $version ($commit) in $dist:" >&2
ls -l "$dist" >&2
