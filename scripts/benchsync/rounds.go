//go:build linux

package main

import (
	"fmt"
	"slices"
	"time"
)

// Same-round ratios. On a machine whose speed drifts between minutes (a
// shared host, the storage on the same cores), the best run of one
// contender and the best of another may come from different minutes, and
// their ratio then measures the drift as much as the contenders: 1,500
// small files have taken 0.67 s in one minute and 1.3 s a few minutes
// later for the same bare loop. Each round runs every contender once, one
// after the other, so the ratio of two contenders within a round compares
// them on nearly the same machine; the median over the rounds is the
// figure a budget is judged on, and the range shows how far to trust it.
// The order within a round turns by one each round (compare), so that no
// contender always runs after the same one: after curl's round the
// storage is still busy, and whoever comes next pays for it.

// spread is the median, least and greatest of some ratios.
type spread struct {
	median, lo, hi float64
	n              int
}

// sameRound gives the per-round ratios of a's figure to b's (f picks wall
// or CPU time); a and b hold one usage per round, in order.
func sameRound(a, b []usage, f func(usage) time.Duration) spread {
	var rs []float64
	for i := range min(len(a), len(b)) {
		if f(b[i]) > 0 {
			rs = append(rs, ratio(f(a[i]), f(b[i])))
		}
	}
	if len(rs) == 0 {
		return spread{}
	}
	slices.Sort(rs)
	m := rs[len(rs)/2]
	if len(rs)%2 == 0 {
		m = (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
	}
	return spread{median: m, lo: rs[0], hi: rs[len(rs)-1], n: len(rs)}
}

func (s spread) String() string {
	return fmt.Sprintf("%.2fx (%.2f-%.2f, %d rounds)", s.median, s.lo, s.hi, s.n)
}

func wallOf(u usage) time.Duration { return u.wall }
func cpuOf(u usage) time.Duration  { return u.cpu }
