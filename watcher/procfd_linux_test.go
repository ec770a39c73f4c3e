package watcher

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func candidateFor(t testing.TB, name string) candidate {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := fileID(fi)
	return candidate{rel: filepath.ToSlash(name), dev: dev, ino: ino}
}

func TestProcWalkSeesWritersNotReaders(t *testing.T) {
	dir := t.TempDir()
	flags := []int{os.O_WRONLY, os.O_RDONLY, os.O_RDWR, -1}
	want := []bool{true, false, true, false}
	var cands []candidate
	for i, fl := range flags {
		name := filepath.Join(dir, fmt.Sprintf("f%d", i))
		writeFile(t, name, 1)
		if fl >= 0 {
			f, err := os.OpenFile(name, fl, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
		}
		cands = append(cands, candidateFor(t, name))
	}
	got := procWriters("/proc", cands)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file opened with flags %d: writer=%v, want %v", flags[i], got[i], want[i])
		}
	}
}

func TestFdinfoFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"pos:\t0\nflags:\t0100001\nmnt_id:\t25\n", 0o100001, true},
		{"pos:\t0\nflags:\t02\n", 2, true},
		{"pos:\t0\n", 0, false},
		{"flags:\tzz\n", 0, false},
	} {
		got, ok := fdinfoFlags([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("fdinfoFlags(%q) = %o, %v", tc.in, got, ok)
		}
	}
}

// runWriter re-executes the test binary as a separate writer process.
func runWriter(t *testing.T, name string, pause time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", childEnv, name, pause.Milliseconds()))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writer: %v: %s", err, out)
	}
}

func TestWriterHoldingFileOpenPastSettle(t *testing.T) {
	root := mkTree(t)
	_, c := start(t, root, Options{Settle: 300 * time.Millisecond, Logger: testLogger(t)}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	runWriter(t, filepath.Join(root, "_graded", "held.mov"), 1500*time.Millisecond)
	waitFor(t, c, "held.mov", func() bool { n, _ := c.count("_graded/held.mov"); return n > 0 })
	if n, f := c.count("_graded/held.mov"); n != 1 || f.Size != 2<<20 {
		t.Fatalf("emitted %+v; want once at 2 MiB", c.emitted())
	}
}

func TestWriterClosingNormallySettles(t *testing.T) {
	root := mkTree(t)
	_, c := start(t, root, Options{Settle: 300 * time.Millisecond}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	began := time.Now()
	runWriter(t, filepath.Join(root, "_graded", "plain.mov"), 0)
	waitFor(t, c, "plain.mov", func() bool { n, _ := c.count("_graded/plain.mov"); return n > 0 })
	if n, f := c.count("_graded/plain.mov"); n != 1 || f.Size != 1<<20 {
		t.Fatalf("emitted %d times, last %+v; want once at 1 MiB", n, f)
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Fatalf("emitted after %v, before settle", waited)
	}
}
