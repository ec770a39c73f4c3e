package watcher

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// mkFlatTree writes files empty files spread over folders of 100.
func mkFlatTree(b *testing.B, files int) string {
	b.Helper()
	root := b.TempDir()
	for i := range files {
		writeFile(b, filepath.Join(root, "_graded", fmt.Sprintf("d%04d", i/100), fmt.Sprintf("A%06d.dpx", i)), 0)
	}
	return root
}

// countdown cancels its context once want files were settled, after noting
// the live heap with all of them tracked.
type countdown struct {
	want, got int
	liveMiB   float64 // heap in use after a GC, everything tracked
	sysMiB    float64 // heap memory obtained from the OS: an upper bound of the peak
	cancel    context.CancelFunc
}

func (c *countdown) Settled(_ context.Context, files []File) error {
	c.got += len(files)
	if c.got >= c.want {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		c.liveMiB = float64(m.HeapAlloc) / (1 << 20)
		c.sysMiB = float64(m.HeapSys-m.HeapReleased) / (1 << 20)
		c.cancel()
	}
	return nil
}

func (c *countdown) Scanned(context.Context, Scan) error { return nil }

// BenchmarkInitialScan100k times Run from start until all 100,000 files of
// a tree present at start have been handed to Settled (event mode, so the
// 1,000 folder watches are included) and reports the live heap at that
// moment, with every file tracked, and the heap held from the OS, which
// bounds the peak.
func BenchmarkInitialScan100k(b *testing.B) {
	const n = 100_000
	root := mkFlatTree(b, n)
	var live, sys float64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w, err := New(root, Options{Dirs: []string{"_graded"}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		c := &countdown{want: n, cancel: cancel}
		if err := w.Run(ctx, c); err != context.Canceled || c.got != n {
			b.Fatalf("Run = %v after %d files", err, c.got)
		}
		live, sys = c.liveMiB, max(sys, c.sysMiB)
	}
	b.ReportMetric(live, "MiB-live-heap")
	b.ReportMetric(sys, "MiB-heap-from-OS")
}
