#!/usr/bin/env bash
# Builds a release into dist/: for each target a binary cross-compiled with
# the version and commit stamped in, an archive per OS (tar.gz for Linux and
# macOS, zip for Windows), a .deb and an .rpm per Linux architecture (nfpm,
# installed pinned when missing), and SHA256SUMS over all of them.
#
# Usage: packaging/release.sh [VERSION]
#   VERSION  e.g. 1.2.3 (a leading v is dropped); default: the latest v* tag
#            from git describe, else 0.0.0-dev
# Environment:
#   TARGETS  GOOS/GOARCH list; default: all six supported targets
#   DIST     output folder; default: dist (stale outputs in it are removed)
#   COMMIT   default: git rev-parse HEAD, with -dirty if tracked files changed
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

# stage copies what the archive for $1 (GOOS) holds, beside the binary, into $2.
stage() {
	cp config.example.toml "$2/"
	cp packaging/README-install.md "$2/INSTALL.md"
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
dist="${DIST:-dist}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"
rm -f "$dist/$NAME"[_-]* "$dist/SHA256SUMS"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for target in ${TARGETS:-$ALL_TARGETS}; do
	case " $ALL_TARGETS " in
	*" $target "*) release_target "$target" ;;
	*) die "target $target: not one of $ALL_TARGETS" ;;
	esac
done
checksums
echo "release: $version ($commit) in $dist:" >&2
ls -l "$dist" >&2
