#!/bin/sh
# bench-upload.sh: the uploader's budgets, measured. Runs the uploader
# package benchmarks against one local versitygw per benchmark (bare
# sign+PUT loop, the uploader with its bbolt queue, rclone copy, a curl
# loop), then the peak RSS of a 4 GiB upload, and prints each contender's
# time as a ratio to the bare loop (best of COUNT runs), with the budgets
# of DESIGN.md "Budgets". Those benchmarks run in process over plain http;
# then scripts/bench-sync.sh measures the daemon as a whole process over
# https, which is what the budgets are about (skip it with SKIP_SYNC=1).
#
# Usage: scripts/bench-upload.sh [COUNT]     (default 3)
# Needs: versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0), rclone, curl.
set -eu
count=${1:-3}
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench 'SmallFiles|LargeFiles|PeakRSS' -benchtime 1x -count "$count" \
	-timeout 60m ./uploader/ | tee "$out"
echo
awk '
/^Benchmark(Small|Large)Files\// {
	split($1, p, "/"); set = p[1]; sub(/^Benchmark/, "", set)
	who = p[2]; sub(/-[0-9]+$/, "", who)
	key = set SUBSEP who
	if (!(key in best) || $3 < best[key]) best[key] = $3
	sets[set] = 1
}
/^BenchmarkPeakRSS/ {
	for (i = 1; i <= NF; i++) if ($i == "peak-RSS-MiB" && $(i-1) > rss) rss = $(i-1)
}
END {
	budget["SmallFiles"] = 1.05; budget["LargeFiles"] = 1.03
	for (set in sets) {
		bare = best[set, "bare"]
		printf "%s (best of runs, seconds; ratio to the bare loop)\n", set
		n = split("bare uploader rclone curl", names, " ")
		for (i = 1; i <= n; i++) {
			t = best[set, names[i]]
			if (t == "") continue
			printf "  %-9s %8.2fs  %5.2fx\n", names[i], t / 1e9, t / bare
		}
		up = best[set, "uploader"] / bare
		printf "  budget: uploader <= %.2fx bare: %s; faster than rclone: %s\n", budget[set],
			(up <= budget[set] ? "ok" : "OVER"),
			(best[set, "uploader"] < best[set, "rclone"] ? "ok" : "NO")
	}
	if (rss != "") printf "PeakRSS (4 GiB sparse file): %.1f MiB (budget 32 MiB: %s)\n", rss, (rss < 32 ? "ok" : "OVER")
}' "$out"
if [ "${SKIP_SYNC:-}" != 1 ]; then
	echo
	scripts/bench-sync.sh "$count"
fi
