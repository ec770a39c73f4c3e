package daemon

import (
	"os"
	"runtime/debug"
)

// gcPercent is the collector's target for the daemon: a new cycle once
// the heap has grown by half of what the last one left live, not by all
// of it (Go's default, GOGC=100).
//
// The daemon's live heap is mostly per-file state that lasts as long as
// the process (the queue's entries and the watcher's files, some 400
// bytes a file), and its allocation is per request, short-lived. With the
// default, the peak RSS of a first sync is about twice that state plus
// the binary and queue.db; DESIGN.md's budgets (40 MiB for 20,000 files,
// 96 MiB for 100,000) leave no room for that. Measured on a first sync of
// 20,000 files (scripts/bench-sync.sh with WRAP running the binary under
// GODEBUG=gctrace=1, GC CPU summed over the trace): 49.1 MiB peak RSS and
// 679 ms of GC CPU in 68 cycles at 100; 42.6 MiB and 1,272 ms in 147
// cycles at 50 (of about 6 s of CPU). A fixed soft memory limit
// (debug.SetMemoryLimit) is no substitute: the live heap grows with the
// tree, and a limit near it makes the collector run without pause.
const gcPercent = 50

// TuneGC sets gcPercent for the process unless GOGC is set in the
// environment, which then wins (GOGC=100 for Go's default). The command
// calls it once at start, before the daemon builds its state.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	debug.SetGCPercent(gcPercent)
}
