#!/usr/bin/env bash
# Runs every test, the end-to-end ones included, with the race detector:
# the program's module, then the end-to-end module in e2e/ (its own go.mod,
# so that its test-only dependencies stay out of the program's). Arguments
# go to both go test runs (e.g. -run TestName, -count=1).
# The end-to-end tests need versitygw (a real S3 server); it is installed
# from the Go module proxy, pinned, when it is not on this machine yet.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION=v1.8.0
gobin="$(go env GOPATH)/bin"
if ! command -v versitygw >/dev/null 2>&1 && [ ! -x "$gobin/versitygw" ]; then
	echo "installing versitygw $VERSITYGW_VERSION (the S3 server the end-to-end tests run against)…"
	(cd / && GOFLAGS='' go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION")
fi
export PATH="$gobin:$PATH"

# The dashboard's browser test drives Debian's chromium (with a font to draw
# text); on a Debian machine run as root it is installed when missing.
if ! command -v chromium >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing chromium (the dashboard's browser test drives it)…"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation
	else
		echo "note: no chromium on PATH; the dashboard's browser test will fail: apt-get install chromium fonts-liberation" >&2
	fi
fi

go test -race -timeout 20m "$@" ./...
(cd e2e && go test -race -timeout 20m "$@" ./...)
