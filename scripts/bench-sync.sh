#!/bin/sh
# bench-sync.sh: the daemon's budgets (DESIGN.md "Budgets"), measured as a
# whole process. Builds the binary, makes a test CA and a certificate for
# 127.0.0.1, and runs scripts/benchsync: one versitygw over https, the
# binary's `sync` from start to exit against a bare sign+PUT loop (with and
# without Content-MD5: sync against bare-md5, and sync-none, the daemon with
# upload.verify = "none", against bare), rclone copy and a curl loop on 1,500 x 64 KiB and
# 3 x 256 MiB, then the peak RSS of a 4 GiB file and of 20k and 100k first
# syncs, and a restart over the finished 20k tree.
#
# Usage: scripts/bench-sync.sh [-http] [COUNT] [PARTS]
#   COUNT  rounds, each running every contender once (default 3): the
#          tables keep the best of each, the budget lines judge the median
#          of the ratios within a round
#   PARTS  comma-separated subset of tiny,small,large,rss4g,rss20k,restart,rss100k
#          (tiny, one file, is not in the default: it shows what every run pays)
#   -http  plain http instead of https
# BASE, if set, is another build of the binary, run as sync-base beside
# sync in the same rounds (a change before and after, on a busy machine).
# CONTENDERS, if set, is benchsync's -contenders list (bare always runs).
# WRAP, if set, is a command prefix for the daemon's sync, for profiling
# (benchsync -wrap: "perf record -g -o /tmp/sync.perf --", "env GOGC=50"),
# and WRAP_BARE the same for the bare loop. ROUNDS=1 prints every run.
# Needs: versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0),
# rclone, curl, openssl. The machine should be otherwise idle: the script
# prints the load average with every table.
set -eu
scheme=https
if [ "${1:-}" = "-http" ]; then
	scheme=http
	shift
fi
count=${1:-3}
parts=${2:-small,large,rss4g,rss20k,restart,rss100k}
cd "$(dirname "$0")/.."

vgw=$(command -v versitygw || true)
if [ -z "$vgw" ]; then
	vgw=$(go env GOPATH)/bin/versitygw
fi
if [ ! -x "$vgw" ]; then
	echo "bench-sync: versitygw is missing: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0" >&2
	exit 1
fi
for tool in rclone curl openssl; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench-sync: $tool is missing" >&2
		exit 1
	fi
done

# Under /tmp: versitygw's posix backend needs user extended attributes.
work=$(mktemp -d /tmp/bench-sync-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

go build -o "$work/odailies-uploader" ./cmd/odailies-uploader
go build -o "$work/benchsync" ./scripts/benchsync

# The test CA and a server certificate for 127.0.0.1, a day long.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=odailies-bench-ca -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
	-CAcreateserial -days 1 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

# Every child trusts what it trusted before plus the test CA.
if [ -n "${SSL_CERT_FILE:-}" ] && [ -r "$SSL_CERT_FILE" ]; then
	cat "$SSL_CERT_FILE" "$work/ca.pem" >"$work/bundle.pem"
else
	cp "$work/ca.pem" "$work/bundle.pem"
fi
SSL_CERT_FILE=$work/bundle.pem
export SSL_CERT_FILE

"$work/benchsync" -bin "$work/odailies-uploader" -versitygw "$vgw" -dir "$work" \
	-scheme "$scheme" -cert "$work/server.pem" -key "$work/server.key" -ca "$work/ca.pem" \
	-count "$count" -parts "$parts" -wrap "${WRAP:-}" -wrap-bare "${WRAP_BARE:-}" \
	-rounds="$([ -n "${ROUNDS:-}" ] && echo true || echo false)" \
	-base "${BASE:-}" -contenders "${CONTENDERS:-bare,bare-md5,local-sign,sync,sync-none,rclone,curl}"
