package watcher

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func candidateFor(t testing.TB, name string) candidate {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino, _ := fileFacts(fi, ids{})
	return candidate{rel: strings.TrimPrefix(filepath.ToSlash(name), "/"), dev: dev, ino: ino} // relative to "/"
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
	got := procWriters("/proc", "/", cands)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file opened with flags %d: writer=%v, want %v", flags[i], got[i], want[i])
		}
	}
}

func TestFdinfoWrites(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ino     uint64
		deleted bool
		want    bool
	}{
		{"pos:\t0\nflags:\t0100001\nmnt_id:\t25\nino:\t77\n", 77, false, true},
		{"pos:\t0\nflags:\t02\nino:\t77\n", 77, false, true},
		{"pos:\t0\nflags:\t0100000\nino:\t77\n", 77, false, false}, // read only
		{"pos:\t0\nflags:\t01\nino:\t78\n", 77, false, false},      // another file now at that path
		{"pos:\t0\nflags:\t01\nino:\t77\n", 77, true, true},        // unlinked name, same inode
		{"pos:\t0\nflags:\t01\n", 77, false, true},                 // old kernel: the path decides
		{"pos:\t0\nflags:\t01\n", 77, true, false},                 // old kernel, unlinked name
		{"pos:\t0\n", 77, false, false},
		{"flags:\tzz\n", 77, false, false},
	} {
		if got := fdinfoWrites([]byte(tc.in), tc.ino, tc.deleted); got != tc.want {
			t.Errorf("fdinfoWrites(%q, %d, deleted=%v) = %v", tc.in, tc.ino, tc.deleted, got)
		}
	}
}

// fakeProc builds a proc tree: for each pid, fd links (whose targets need
// not exist: readlink never looks at them) and fdinfo files.
type fakeFD struct {
	pid, fd, link, fdinfo string
}

func fakeProc(t *testing.T, fds []fakeFD) string {
	t.Helper()
	proc := t.TempDir()
	for _, f := range fds {
		for _, sub := range []string{"fd", "fdinfo"} {
			if err := os.MkdirAll(filepath.Join(proc, f.pid, sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(f.link, filepath.Join(proc, f.pid, "fd", f.fd)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(proc, f.pid, "fdinfo", f.fd), []byte(f.fdinfo), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Entries a real proc has beside the pids, and a pid that cannot be read.
	for _, n := range []string{"self", "sys", "999"} {
		if err := os.MkdirAll(filepath.Join(proc, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return proc
}

func TestProcWalkMatchesByReadlinkAndFdinfo(t *testing.T) {
	real := t.TempDir()
	root := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, root); err != nil { // the kernel prints resolved paths
		t.Fatal(err)
	}
	at := func(name string) string { return filepath.Join(real, "_graded", name) }
	w := func(ino int) string { return fmt.Sprintf("pos:\t0\nflags:\t0100001\nmnt_id:\t25\nino:\t%d\n", ino) }
	proc := fakeProc(t, []fakeFD{
		{"10", "0", "/dev/null", w(1)},
		{"10", "1", "socket:[4242]", w(2)},
		{"10", "3", at("writing.mov"), w(101)},
		{"11", "4", at("reading.mov"), "pos:\t0\nflags:\t0100000\nino:\t102\n"},
		{"12", "5", at("replaced.mov"), w(999)},                    // the writer's file was renamed over
		{"13", "6", at("hardlink.mov") + deletedSuffix, w(104)},    // written through a name since unlinked
		{"13", "7", at("gone.mov") + deletedSuffix, w(555)},        // a deleted file, not the candidate
		{"14", "8", at("old-kernel.mov"), "pos:\t0\nflags:\t02\n"}, // no ino line
		{"15", "9", filepath.Join(root, "_graded", "via-link.mov"), w(107)},
	})
	names := []string{"writing.mov", "reading.mov", "replaced.mov", "hardlink.mov", "gone.mov", "old-kernel.mov", "via-link.mov", "closed.mov"}
	want := []bool{true, false, false, true, false, true, false, false}
	cands := make([]candidate, len(names))
	for i, n := range names {
		cands[i] = candidate{rel: "_graded/" + n, ino: uint64(101 + i)}
	}
	got := procWriters(proc, root, cands)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: writer=%v, want %v", names[i], got[i], want[i])
		}
	}
	if got := procWriters(t.TempDir(), root, cands); countTrue(got) != 0 {
		t.Errorf("an empty proc found writers: %v", got)
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
