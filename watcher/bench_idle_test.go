//go:build unix

package watcher

import (
	"syscall"
	"testing"
	"time"
)

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdle10k watches 10,000 settled files in 100 folders with nothing
// changing and reports the process's CPU time per second of wall time. Each
// iteration is a one-second window; run it with -benchtime=3x or so.
func BenchmarkIdle10k(b *testing.B) {
	root := mkFlatTree(b, 10_000)
	w, c := start(b, root, Options{Dirs: []string{"_graded"}}, nil)
	waitFor(b, c, "all settled", func() bool { s := w.Status(); return s.Scans > 0 && s.Pending == 0 })
	b.ResetTimer()
	var cpu, wall time.Duration
	for range b.N {
		t0, c0 := time.Now(), cpuTime(b)
		<-time.After(time.Second) // the idle window being measured
		cpu += cpuTime(b) - c0
		wall += time.Since(t0)
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/wall.Seconds(), "cpu-ms/s")
	if w.Status().Mode != "events" {
		b.Fatalf("mode %q", w.Status().Mode)
	}
}
