//go:build linux

package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The contenders and their rounds (compare), and same-round ratios.
//
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

type contender struct {
	name string
	run  func(t *tree, prefix string) (usage, error)
}

func (b *bench) contenders() []contender {
	all := []contender{
		{"bare", func(t *tree, p string) (usage, error) { return b.bare(t, p, false) }},
		{"bare-md5", func(t *tree, p string) (usage, error) { return b.bare(t, p, true) }},
		{"local-sign", func(t *tree, p string) (usage, error) { return b.bareWith(t, p, false, false) }},
		{"sync", b.syncOnce},
		{"sync-none", b.syncNone},
		{"sync-base", b.syncBase},
		{"rclone", b.rclone},
		{"curl", b.curl},
	}
	want := strings.Split(b.who, ",")
	return slices.DeleteFunc(all, func(c contender) bool {
		if c.name == "sync-base" {
			return b.base == ""
		}
		return c.name != "bare" && !slices.Contains(want, c.name)
	})
}

// compare runs every contender count times, interleaved in rounds, and
// prints the best wall and CPU of each with their ratios to the bare
// loop, then the budget lines (rounds.go).
func (b *bench) compare(t *tree, title string, wallBudget, cpuBudget float64, beatRclone bool) error {
	cs := b.contenders()
	best := map[string]*usage{}
	rounds := map[string][]usage{}
	for round := range b.count {
		// Each round starts one contender further on, so none always
		// follows the same one (curl's 1,500 processes leave the storage
		// and the page cache busy for the next).
		k := round % len(cs)
		for _, c := range slices.Concat(cs[k:], cs[:k]) {
			prefix := b.newPrefix(c.name)
			srv0 := b.serverCPU()
			u, err := c.run(t, prefix)
			u.srv = b.serverCPU() - srv0
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.name, c.name, err)
			}
			if err := b.checkAndDrop(prefix, t); err != nil {
				return fmt.Errorf("%s %s: %w", t.name, c.name, err)
			}
			rounds[c.name] = append(rounds[c.name], u)
			if b.each {
				fmt.Printf("  round %d %-9s %7.3fs %7.3fs %8.2fs\n", round+1, c.name, u.wall.Seconds(), u.cpu.Seconds(), u.srv.Seconds())
			}
			if bu := best[c.name]; bu == nil {
				best[c.name] = &u
			} else {
				bu.wall, bu.cpu, bu.srv = min(bu.wall, u.wall), min(bu.cpu, u.cpu), min(bu.srv, u.srv)
				bu.rssKiB = min(bu.rssKiB, u.rssKiB)
			}
		}
	}
	bare := best["bare"]
	fmt.Printf("%s, %s, %d workers, best of %d (%s)\n", title, b.scheme, workers, b.count, loadAvg())
	fmt.Printf("  %-9s %8s %8s %7s %7s %9s %9s\n", "", "wall", "cpu", "wall/b", "cpu/b", "peak RSS", "srv cpu")
	for _, c := range cs {
		u := best[c.name]
		if u == nil {
			continue
		}
		fmt.Printf("  %-9s %7.3fs %7.3fs %6.2fx %6.2fx %7.1fMiB %8.2fs\n", c.name, u.wall.Seconds(), u.cpu.Seconds(),
			ratio(u.wall, bare.wall), ratio(u.cpu, bare.cpu), mib(u.rssKiB), u.srv.Seconds())
	}
	// The daemon against the bare loop doing the same work: sync (MD5 on,
	// the default) against bare-md5, and sync-none (upload.verify =
	// "none") against bare. The verdict is on the median of same-round
	// ratios (rounds.go); the ratio of the bests follows it.
	for _, pair := range [][2]string{{"sync", "bare-md5"}, {"sync-none", "bare"}} {
		s, ref := best[pair[0]], best[pair[1]]
		if s == nil || ref == nil || wallBudget == 0 {
			continue
		}
		w := sameRound(rounds[pair[0]], rounds[pair[1]], wallOf)
		line := fmt.Sprintf("  budget: %s against %s: wall %s (<= %.2fx: %s; bests %.2fx)", pair[0], pair[1],
			w, wallBudget, okOver(w.median <= wallBudget), ratio(s.wall, ref.wall))
		if cpuBudget > 0 {
			c := sameRound(rounds[pair[0]], rounds[pair[1]], cpuOf)
			line += fmt.Sprintf(", cpu %s (<= %.1fx: %s; bests %.2fx)", c, cpuBudget,
				okOver(c.median <= cpuBudget), ratio(s.cpu, ref.cpu))
		}
		if beatRclone && best["rclone"] != nil {
			line += "; faster than rclone: " + okOver(s.wall < best["rclone"].wall)
		}
		fmt.Println(line)
	}
	return nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
