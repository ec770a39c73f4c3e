package daemon

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestTuneGC: the daemon's collector target is gcPercent, unless GOGC is
// set, which wins; after each collection it follows the live heap
// (percentFor), gcPercent once the heap is past a few MiB.
func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(77)
	defer debug.SetGCPercent(old)

	t.Setenv("GOGC", "100")
	TuneGC()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("with GOGC set, TuneGC changed the target to %d", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores it
	TuneGC()
	if got := debug.SetGCPercent(gcPercent); got != gcPercent && got != 100 {
		t.Errorf("without GOGC, the target is %d, want %d (or up to 100 for a small heap)", got, gcPercent)
	}

	// A live heap well past minHeapGoal: gcPercent after the next cycle.
	ballast := make([]*[1 << 10]byte, 16<<10) // 16 MiB in 1 KiB objects
	for i := range ballast {
		ballast[i] = new([1 << 10]byte)
	}
	waitTarget(t, func(live uint64, gogc int) bool { return live > 12<<20 && gogc == gcPercent }, "gcPercent with 16 MiB live")
	runtime.KeepAlive(ballast)
	ballast = nil

	// The ballast gone: the target follows what is left live.
	waitTarget(t, func(live uint64, gogc int) bool { return live < 12<<20 && gogc == percentFor(live) }, "percentFor(live) with the ballast gone")
}

// waitTarget collects until ok holds for the live heap the last cycle
// left and the current target, or fails after 5 s.
func waitTarget(t *testing.T, ok func(live uint64, gogc int) bool, want string) {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the cleanup runs on its own goroutine
		metrics.Read(s)
		live, gogc := s[0].Value.Uint64(), int(s[1].Value.Uint64())
		if ok(live, gogc) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want %s; live heap %d bytes, target %d", want, live, gogc)
		}
	}
}

// TestPercentFor: Go's default while the goal would be under
// minHeapGoal, gcPercent past it, and never outside [gcPercent, 100].
func TestPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 << 20, 100},
		{4 << 20, 100},
		{5 << 20, 60}, // an 8 MiB goal
		{6 << 20, gcPercent},
		{100 << 20, gcPercent},
	} {
		if got := percentFor(c.live); got != c.want {
			t.Errorf("percentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
