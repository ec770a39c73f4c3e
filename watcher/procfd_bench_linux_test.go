package watcher

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkProcWalk times one /proc walk with 300 extra processes running
// and 3,000 candidates, 10 of them held open for writing by this process.
func BenchmarkProcWalk(b *testing.B) {
	for range 300 {
		cmd := exec.Command("sleep", "600")
		if err := cmd.Start(); err != nil {
			b.Skipf("cannot start sleep: %v", err)
		}
		b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	dir := b.TempDir()
	cands := make([]candidate, 3000)
	for i := range cands {
		name := filepath.Join(dir, fmt.Sprintf("c%04d.mov", i))
		writeFile(b, name, 0)
		cands[i] = candidateFor(b, name)
		if i%300 == 0 {
			f, err := os.OpenFile(name, os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = f.Close() })
		}
	}
	procs := len(listPIDs("/proc"))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		busy := procWriters("/proc", "/", cands)
		if n := countTrue(busy); n != 10 {
			b.Fatalf("%d writers found, want 10", n)
		}
	}
	b.ReportMetric(float64(procs), "procs")
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
