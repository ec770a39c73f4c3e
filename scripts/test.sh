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

go test -race -timeout 20m "$@" ./...
(cd e2e && go test -race -timeout 20m "$@" ./...)
