package daemon

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// gcPercent is the collector's target for the daemon: a new cycle once
// the heap has grown by half of what the last one left live, not by all
// of it (Go's default, GOGC=100).
//
// The daemon's live heap is mostly per-file state that lasts as long as
// the process (the queue's entries and the watcher's files, some 350
// bytes a file: 35 MB live after the first scan of 100,000 files), and
// its allocation is per request, short-lived. With the default, the peak
// RSS of a first sync is about twice that state plus the binary's 14 MiB
// (queue.db's pages are dropped from its map, queue/mapped.go);
// DESIGN.md's budgets (40 MiB for 20,000 files, 96 MiB for 100,000) leave
// no room for that. Measured on a first sync of
// 20,000 files (scripts/bench-sync.sh with WRAP running the binary under
// GODEBUG=gctrace=1, GC CPU summed over the trace): 49.1 MiB peak RSS and
// 679 ms of GC CPU in 68 cycles at 100; 42.6 MiB and 1,272 ms in 147
// cycles at 50 (of about 6 s of CPU). A fixed soft memory limit
// (debug.SetMemoryLimit) is no substitute: the live heap grows with the
// tree, and a limit near it makes the collector run without pause.
const gcPercent = 50

// minHeapGoal is the live heap below which the target is raised towards
// Go's default (100), so that a small heap is not collected more often
// than Go's default would: at gcPercent, a small tree's live heap (2 MiB
// for 1,500 files, plus globals and stacks) meets a cycle at a 4 MiB heap,
// every 1.5 MiB or so of allocation, and over https each PUT alone
// allocates 32 KiB (net/http's copy buffer into the TLS connection).
// Measured with scripts/bench-sync.sh's small set (1,500 x 64 KiB; perf
// stat task-clock, best of 3; GODEBUG=gctrace=1): 84 cycles and 888 ms of
// CPU at 50, 37 cycles and 608 ms at 100, peak RSS 23.9 MiB against 25.6
// MiB. The target is 100 up to half of minHeapGoal live and gcPercent from
// minHeapGoal/(1+gcPercent/100) (5.3 MiB) on, where the RSS budgets are.
const minHeapGoal = 8 << 20

var tuneOnce sync.Once

// TuneGC sets gcPercent for the process unless GOGC is set in the
// environment, which then wins (GOGC=100 for Go's default). The command
// calls it once at start, before the daemon builds its state. After each
// collection the target is set again from the heap it left live
// (percentFor), so that a small heap is not collected more often than
// Go's default would.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	debug.SetGCPercent(gcPercent)
	tuneOnce.Do(armRetune)
}

// percentFor is the target for a live heap of live bytes: gcPercent, or
// more (at most Go's default, 100) while the goal it gives stays under
// minHeapGoal.
func percentFor(live uint64) int {
	if live == 0 {
		return 100
	}
	p := int(minHeapGoal*100/live) - 100
	return max(gcPercent, min(p, 100))
}

// cycleMark is allocated to be collected: its cleanup runs once per
// collection cycle. It holds a pointer so that it is never a tiny
// allocation (those share a block and may outlive a cycle).
type cycleMark struct{ _ *int }

// armRetune retunes after the next collection and arms itself again.
func armRetune() {
	runtime.AddCleanup(&cycleMark{}, func(struct{}) {
		retune()
		armRetune()
	}, struct{}{})
}

// retune sets the target for the heap the last collection left live,
// unless GOGC has been set since (it wins).
func retune() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetGCPercent(percentFor(s[0].Value.Uint64()))
}
