package daemon

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGC: the daemon's collector target is gcPercent, unless GOGC is
// set, which wins.
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
	if got := debug.SetGCPercent(77); got != gcPercent {
		t.Errorf("without GOGC, the target is %d, want %d", got, gcPercent)
	}
}
