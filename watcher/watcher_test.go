package watcher

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestAppendingWriterEmittedOnceAtFinalSize(t *testing.T) {
	root := mkTree(t)
	w, c := start(t, root, Options{Settle: time.Second}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	name := filepath.Join(root, "_graded", "A001.mov")
	chunk := make([]byte, 64<<10)
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < 10; i++ { // 3 s of appends, each with its own open and close
		f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if n, _ := c.count("_graded/A001.mov"); n != 0 {
			t.Fatalf("emitted while still growing, after %d appends", i+1)
		}
		<-tick.C
	}
	final := int64(10 * len(chunk))
	waitFor(t, c, "final emission", func() bool { n, _ := c.count("_graded/A001.mov"); return n > 0 })
	n, f := c.count("_graded/A001.mov")
	if n != 1 || f.Size != final {
		t.Fatalf("emitted %d times, last size %d; want once at %d", n, f.Size, final)
	}
	waitFor(t, c, "pending drains", func() bool { return w.Status().Pending == 0 })
}

func TestRsyncTempThenRename(t *testing.T) {
	root := mkTree(t)
	_, c := start(t, root, Options{Settle: 100 * time.Millisecond, Rescan: 50 * time.Millisecond}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	tmp := filepath.Join(root, "_graded", ".A001.mov.Xk3d9q")
	writeFile(t, tmp, 4096)
	if err := os.Rename(tmp, filepath.Join(root, "_graded", "A001.mov")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "A001.mov", func() bool { n, _ := c.count("_graded/A001.mov"); return n > 0 })
	scans := c.scanCount()
	waitFor(t, c, "two more scans", func() bool { return c.scanCount() >= scans+2 })
	got := c.emitted()
	if len(got) != 1 || got[0].Path != "_graded/A001.mov" || got[0].Size != 4096 {
		t.Fatalf("emitted %+v; want only _graded/A001.mov once", got)
	}
}

func TestMkdirPThenFilesAtOnce(t *testing.T) {
	root := mkTree(t)
	_, c := start(t, root, Options{Settle: 100 * time.Millisecond, Include: []string{"*.mov"}, Logger: testLogger(t)}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	deep := filepath.Join(root, "_graded", "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rel := range []string{"a", "a/b", "a/b/c"} {
		for i := range 5 {
			p := fmt.Sprintf("_graded/%s/f%d.mov", rel, i)
			writeFile(t, filepath.Join(root, filepath.FromSlash(p)), 10)
			want = append(want, p)
		}
	}
	for _, p := range want {
		waitFor(t, c, p, func() bool { n, _ := c.count(p); return n > 0 })
		if n, f := c.count(p); n != 1 || f.Size != 10 {
			t.Errorf("%s emitted %d times, last %+v", p, n, f)
		}
	}
}

func TestOverflowRescanFindsLostFiles(t *testing.T) {
	root := mkTree(t)
	var src *fakeSource
	_, c := start(t, root, Options{Rescan: time.Hour}, func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			s, err := newFakeSource(nil)
			src = s
			return s, err
		}
	})
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	src.drop.Store(true)
	for i := range 20 {
		writeFile(t, filepath.Join(root, "_thumbnails", fmt.Sprintf("lost%02d.jpg", i)), 100)
	}
	writeFile(t, filepath.Join(root, "_graded", "sub", "lost.mov"), 100)
	src.errs <- fsnotify.ErrEventOverflow

	waitFor(t, c, "rescan", func() bool { return c.scanCount() >= 2 })
	waitFor(t, c, "lost files", func() bool { return len(c.emitted()) == 21 })
	if n, _ := c.count("_graded/sub/lost.mov"); n != 1 {
		t.Fatalf("lost.mov emitted %d times", n)
	}
}

func TestWatcherErrorRestartsSource(t *testing.T) {
	root := mkTree(t)
	var srcs []*fakeSource
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: time.Hour, PollInterval: time.Hour}, func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			s, err := newFakeSource(nil)
			srcs = append(srcs, s) // only Run's goroutine calls this
			return s, err
		}
	})
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
	first := srcs[0]
	first.errs <- errors.New("read inotify: bad things")
	waitFor(t, c, "error reported", func() bool { return w.Status().Error != "" })
	waitFor(t, c, "restart and rescan", func() bool { return c.scanCount() >= 2 && w.Status().Error == "" })

	writeFile(t, filepath.Join(root, "_graded", "after.mov"), 1)
	waitFor(t, c, "file after restart", func() bool { n, _ := c.count("_graded/after.mov"); return n == 1 })
	if w.Status().Mode != "events" {
		t.Fatalf("mode %q after restart", w.Status().Mode)
	}
}

func TestPollModeFindsNewChangedRenamed(t *testing.T) {
	root := mkTree(t)
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Poll: true, PollInterval: 20 * time.Millisecond}, nil)
	if m := w.Status().Mode; m != "poll" {
		t.Fatalf("mode %q", m)
	}
	name := filepath.Join(root, "_graded", "p.mov")
	writeFile(t, name, 10)
	waitFor(t, c, "new file", func() bool { n, _ := c.count("_graded/p.mov"); return n == 1 })

	writeFile(t, name, 20)
	waitFor(t, c, "changed file", func() bool { _, f := c.count("_graded/p.mov"); return f.Size == 20 })

	if err := os.Rename(name, filepath.Join(root, "_graded", "q.mov")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "renamed file", func() bool { n, _ := c.count("_graded/q.mov"); return n == 1 })
	waitFor(t, c, "old name gone", func() bool { return !c.lastScan().Present("_graded/p.mov") })
	if n, _ := c.count("_graded/p.mov"); n != 2 {
		t.Fatalf("p.mov emitted %d times, want 2 (two versions)", n)
	}
}

func TestJunkAndSymlinksNeverEmitted(t *testing.T) {
	root := mkTree(t)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.mov"), 5)
	writeFile(t, filepath.Join(outside, "dir", "inner.mov"), 5)
	junk := []string{".DS_Store", "._A001.mov", ".hidden.mov", "Thumbs.db", "desktop.ini",
		"~lock.mov", "x.tmp", "x.part", "x.crdownload", "x.PARTIAL", ".cache/in.mov"}
	mkJunk := func(dir string) {
		for _, j := range junk {
			writeFile(t, filepath.Join(dir, filepath.FromSlash(j)), 1)
		}
		for _, l := range [][2]string{{"secret.mov", "link.mov"}, {"dir", "linkdir"}} {
			if err := os.Symlink(filepath.Join(outside, l[0]), filepath.Join(dir, l[1])); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkJunk(filepath.Join(root, "_graded"))
	writeFile(t, filepath.Join(root, "_graded", "good.mov"), 1)
	_, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: 30 * time.Millisecond}, nil)
	waitFor(t, c, "good.mov", func() bool { n, _ := c.count("_graded/good.mov"); return n == 1 })

	mkJunk(filepath.Join(root, "_thumbnails")) // now through events
	writeFile(t, filepath.Join(root, "_thumbnails", "good.jpg"), 1)
	waitFor(t, c, "good.jpg", func() bool { n, _ := c.count("_thumbnails/good.jpg"); return n == 1 })
	scans := c.scanCount()
	waitFor(t, c, "two more scans", func() bool { return c.scanCount() >= scans+2 })
	if got := c.emitted(); len(got) != 2 {
		t.Fatalf("emitted %+v; want only the two good files", got)
	}
	if c.lastScan().Present("_graded/link.mov") {
		t.Fatal("a symlink counts as present")
	}
}

func TestTenThousandFilesAtStartEmittedOnce(t *testing.T) {
	root := mkTree(t)
	const dirs, per = 40, 250
	for d := range dirs {
		for f := range per {
			writeFile(t, filepath.Join(root, "_graded", fmt.Sprintf("d%02d", d), fmt.Sprintf("f%03d.dpx", f)), 0)
		}
	}
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: 100 * time.Millisecond}, nil)
	waitFor(t, c, "all files", func() bool { return len(c.emitted()) >= dirs*per })
	waitFor(t, c, "three scans", func() bool { return c.scanCount() >= 3 })
	seen := make(map[string]int)
	for _, f := range c.emitted() {
		seen[f.Path]++
	}
	if len(seen) != dirs*per || len(c.emitted()) != dirs*per {
		t.Fatalf("%d distinct paths, %d emissions; want %d of each", len(seen), len(c.emitted()), dirs*per)
	}
	if s := w.Status(); s.Pending != 0 || s.Scans < 3 {
		t.Fatalf("status %+v", s)
	}
}

func TestHandlerErrorStopsRun(t *testing.T) {
	root := mkTree(t)
	writeFile(t, filepath.Join(root, "_graded", "a.mov"), 1)
	w, err := New(root, Options{Dirs: []string{"_graded"}})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("queue full")
	err = w.Run(t.Context(), failing{boom})
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want %v", err, boom)
	}
}

type failing struct{ err error }

func (f failing) Settled(context.Context, []File) error { return f.err }
func (f failing) Scanned(context.Context, Scan) error   { return nil }
