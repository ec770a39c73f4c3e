package watcher

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// clocked starts a poll-mode watcher on root/_graded that scans only at
// start, with a clock and ticks the test drives. The returned tick advances
// the clock and returns once the watcher has handled a tick at that time.
func clocked(t *testing.T, root string, opts Options, h Handler, setup func(*Watcher)) (*Watcher, func(time.Duration)) {
	t.Helper()
	opts.Poll, opts.PollInterval = true, 1000*time.Hour
	return driven(t, root, opts, h, setup)
}

// driven is clocked in the mode opts asks for: in event mode, events are
// handled as they come, and scans, settle checks and rechecks happen at the
// times the test's ticks set.
func driven(t *testing.T, root string, opts Options, h Handler, setup func(*Watcher)) (*Watcher, func(time.Duration)) {
	t.Helper()
	// An hour behind real time, so files written during the test are never
	// "older than settle" by accident of coarse file-system timestamps.
	clock := newFakeClock(time.Now().Add(-time.Hour))
	opts.Dirs, opts.Now = []string{"_graded"}, clock.Now
	if opts.Rescan == 0 {
		opts.Rescan = 1000 * time.Hour
	}
	ticks := make(chan time.Time)
	w := startWith(t, root, opts, func(w *Watcher) {
		w.tick = ticks
		if setup != nil {
			setup(w)
		}
	}, h)
	tick := func(d time.Duration) {
		clock.Add(d)
		ticks <- time.Time{}
		ticks <- time.Time{} // accepted only once the first tick is fully handled
	}
	tick(0) // returns after the initial scan, before the clock moves
	return w, tick
}

func TestSettleIsJudgedByRestat(t *testing.T) {
	root := mkTree(t)
	fresh := filepath.Join(root, "_graded", "new.mov")
	old := filepath.Join(root, "_graded", "old.mov")
	writeFile(t, fresh, 10)
	writeFile(t, old, 10)
	hourAgo := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	c := newCollector()
	w, tick := clocked(t, root, Options{Settle: 10 * time.Second}, c, nil)
	if n, _ := c.count("_graded/old.mov"); n != 1 {
		t.Fatalf("a file older than settle was not emitted at once (%d)", n)
	}
	if n, _ := c.count("_graded/new.mov"); n != 0 || w.Status().Pending != 1 {
		t.Fatalf("new.mov emitted %d times before settle; pending %d", n, w.Status().Pending)
	}
	tick(5 * time.Second)
	writeFile(t, fresh, 20) // changes with no event: only a re-stat can tell
	tick(5 * time.Second)   // due now, but changed: wait another settle
	tick(9 * time.Second)
	if n, _ := c.count("_graded/new.mov"); n != 0 {
		t.Fatal("emitted although it changed within the settle time")
	}
	tick(time.Second)
	if n, f := c.count("_graded/new.mov"); n != 1 || f.Size != 20 {
		t.Fatalf("new.mov emitted %d times, last %+v; want once at 20 bytes", n, f)
	}
	if p := w.Status().Pending; p != 0 {
		t.Fatalf("pending %d after emission", p)
	}
}

func TestOpenWriterHoldsUntilMax(t *testing.T) {
	root := mkTree(t)
	writeFile(t, filepath.Join(root, "_graded", "held.mov"), 10)
	c := newCollector()
	asked := 0
	allBusy := func(_ string, cands []candidate) []bool {
		asked += len(cands) // called from Run's goroutine only
		busy := make([]bool, len(cands))
		for i := range busy {
			busy[i] = true
		}
		return busy
	}
	w, tick := clocked(t, root, Options{Settle: time.Second, OpenWriterMax: time.Minute}, c,
		func(w *Watcher) { w.writers = allBusy })
	tick(time.Second)
	tick(30 * time.Second)
	if n, _ := c.count("_graded/held.mov"); n != 0 || w.Status().Pending != 1 || asked < 2 {
		t.Fatalf("emitted %d times while held open (asked %d)", n, asked)
	}
	tick(31 * time.Second)
	if n, _ := c.count("_graded/held.mov"); n != 1 {
		t.Fatalf("not treated as settled after OpenWriterMax (%d)", n)
	}
}

// gated blocks in Settled until released, to look at Status meanwhile.
type gated struct {
	*collector
	entered chan struct{}
	release chan struct{}
}

func (g gated) Settled(ctx context.Context, files []File) error {
	g.entered <- struct{}{}
	<-g.release
	return g.collector.Settled(ctx, files)
}

func TestPendingDropsOnlyAfterSettledReturns(t *testing.T) {
	root := mkTree(t)
	writeFile(t, filepath.Join(root, "_graded", "a.mov"), 1)
	g := gated{newCollector(), make(chan struct{}), make(chan struct{})}
	w := startWith(t, root, Options{Poll: true, PollInterval: time.Hour}, nil, g)
	<-g.entered
	if s := w.Status(); s.Pending != 1 || s.Scans != 1 {
		t.Fatalf("inside Settled: %+v; want pending 1 after one scan", s)
	}
	close(g.release)
	waitFor(t, g.collector, "pending 0", func() bool { return w.Status().Pending == 0 })
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"no dirs", Options{}},
		{"dir outside root", Options{Dirs: []string{"../x"}}},
		{"absolute dir", Options{Dirs: []string{"/x"}}},
		{"bad include", Options{Dirs: []string{"a"}, Include: []string{"[a"}}},
		{"bad exclude", Options{Dirs: []string{"a"}, Exclude: []string{"a\\"}}},
	} {
		if _, err := New(t.TempDir(), tc.opts); err == nil {
			t.Errorf("%s: New accepted %+v", tc.name, tc.opts)
		}
	}
	w, err := New(filepath.Join(t.TempDir(), "not", "there"), Options{Dirs: []string{"_graded"}})
	if err != nil || w.Status().Mode != "events" {
		t.Fatalf("New on a missing root: %v", err)
	}
}
