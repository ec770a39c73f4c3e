package watcher

// Watched dirs whose volume goes away: DirInfo, Suspect, Status.Error.

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// info returns the last scan's DirInfo for dir, and whether there is one.
func (c *collector) info(dir string) (DirInfo, bool) {
	for _, in := range c.lastScan().DirInfo {
		if in.Dir == dir {
			return in, true
		}
	}
	return DirInfo{}, false
}

// scanAfter waits for a scan that started after now and returns dir's
// DirInfo in it.
func scanAfter(t *testing.T, c *collector, dir string) DirInfo {
	t.Helper()
	n := c.scanCount()
	waitFor(t, c, "a scan", func() bool { return c.scanCount() >= n+2 })
	in, ok := c.info(dir)
	if !ok {
		t.Fatalf("no DirInfo for %s in %+v", dir, c.lastScan())
	}
	return in
}

func TestScanReportsDirInfo(t *testing.T) {
	root := mkTree(t)
	for i := range 3 {
		writeFile(t, filepath.Join(root, "_graded", "day", fmt.Sprintf("%d.mov", i)), 1)
	}
	writeFile(t, filepath.Join(root, "_graded", ".DS_Store"), 1) // not eligible, not counted
	_, c := start(t, root, Options{Rescan: time.Hour}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
	s := c.lastScan()
	if len(s.DirInfo) != 2 || len(s.Dirs) != 1 || s.Dirs[0] != "_graded" {
		t.Fatalf("DirInfo %+v, Dirs %v; want both read, only _graded (not empty) to prune under", s.DirInfo, s.Dirs)
	}
	for i, want := range []struct {
		dir   string
		files int
	}{{"_graded", 3}, {"_thumbnails", 0}} {
		in := s.DirInfo[i]
		fi, err := os.Lstat(filepath.Join(root, in.Dir))
		if err != nil {
			t.Fatal(err)
		}
		if in.Dir != want.dir || in.Files != want.files || in.Device != dirDevice(filepath.Join(root, in.Dir), fi) || in.Suspect != "" {
			t.Errorf("DirInfo[%d] = %+v; want %s with %d files", i, in, want.dir, want.files)
		}
	}
}

func TestDeviceChangeIsSuspectForOneScan(t *testing.T) {
	root := mkTree(t)
	writeFile(t, filepath.Join(root, "_graded", "a.mov"), 1)
	var dev atomic.Uint64
	dev.Store(7)
	w, c := start(t, root, Options{Settle: 10 * time.Millisecond, Poll: true, PollInterval: 20 * time.Millisecond},
		func(w *Watcher) {
			w.device = func(abs string, _ fs.FileInfo) uint64 {
				if filepath.Base(abs) == "_graded" {
					return dev.Load()
				}
				return 1
			}
		})
	waitFor(t, c, "a.mov", func() bool { n, _ := c.count("_graded/a.mov"); return n == 1 })
	if in := scanAfter(t, c, "_graded"); in.Device != 7 || in.Suspect != "" {
		t.Fatalf("before the change: %+v", in)
	}
	dev.Store(9) // a share remounted: same files, another device
	waitFor(t, c, "suspect scan", func() bool { in, _ := c.info("_graded"); return in.Device == 9 })
	in, _ := c.info("_graded")
	if !strings.Contains(in.Suspect, "watched folder _graded is on another volume") || in.Files != 1 || slices.Contains(c.lastScan().Dirs, "_graded") {
		t.Fatalf("the scan that saw the change: %+v, Dirs %v", in, c.lastScan().Dirs)
	}
	waitFor(t, c, "healthy", func() bool { in, _ := c.info("_graded"); return in.Suspect == "" && w.Status().Error == "" })
	if n, _ := c.count("_graded/a.mov"); n != 1 {
		t.Fatalf("a.mov emitted %d times; it never went away", n)
	}
}

func TestEmptiedDirIsSuspectUntilFilesReturn(t *testing.T) {
	root := mkTree(t)
	paths := twenty(t, root)
	rec := &logRecorder{}
	w, c := start(t, root, Options{Settle: 10 * time.Millisecond, Poll: true, PollInterval: 20 * time.Millisecond,
		Logger: slog.New(rec)}, nil)
	waitCount(t, c, paths, 1)
	if err := os.RemoveAll(filepath.Join(root, "_graded", "day1")); err != nil {
		t.Fatal(err) // what an unmount looks like to a scan: everything at once
	}
	const want = "watched folder _graded is empty (it held 20 files): is its drive unplugged or its share unmounted? nothing is forgotten meanwhile"
	for range 3 {
		if in := scanAfter(t, c, "_graded"); in.Files != 0 || in.Suspect != want || slices.Contains(c.lastScan().Dirs, "_graded") {
			t.Fatalf("DirInfo %+v, Dirs %v; want suspect %q, not to prune under", in, c.lastScan().Dirs, want)
		}
	}
	if e := w.Status().Error; e != want {
		t.Fatalf("Status.Error %q", e)
	}
	if n := countWarns(rec, want); n != 1 {
		t.Fatalf("%d warnings about the empty folder over several scans; want 1", n)
	}
	writeFile(t, filepath.Join(root, "_graded", "day1", "A000.mov"), 1) // plugged back (in part)
	waitFor(t, c, "healthy", func() bool {
		in, _ := c.info("_graded")
		return in.Files == 1 && in.Suspect == "" && w.Status().Error == ""
	})
	waitFor(t, c, "A000.mov again", func() bool { n, _ := c.count(paths[0]); return n == 2 })
}

// countWarns counts the "watcher problem" warnings whose error has text.
func countWarns(rec *logRecorder, text string) int {
	n := 0
	for _, r := range rec.find(slog.LevelWarn, "watcher problem") {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" && strings.Contains(a.Value.String(), text) {
				n++
			}
			return true
		})
	}
	return n
}

// TestDeletionsSeenAsEventsAreNotSuspect: files deleted one by one while
// the watcher sees each go are deletions, not a drive unplugged.
func TestDeletionsSeenAsEventsAreNotSuspect(t *testing.T) {
	root := mkTree(t)
	paths := twenty(t, root)
	var src *fakeSource
	w, c := start(t, root, Options{Settle: 10 * time.Millisecond, Rescan: time.Hour}, func(w *Watcher) {
		w.newSource = func() (eventSource, error) {
			s, err := newFakeSource(nil)
			src = s
			return s, err
		}
	})
	waitCount(t, c, paths, 1)
	for _, p := range paths {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	sentinel(t, root, c) // every removal handled
	scans := c.scanCount()
	src.errs <- fsnotify.ErrEventOverflow // a full scan now
	waitFor(t, c, "rescan", func() bool { return c.scanCount() > scans })
	if in, _ := c.info("_graded"); in.Files != 0 || in.Suspect != "" || w.Status().Error != "" {
		t.Fatalf("DirInfo %+v, error %q; want empty and not suspect", in, w.Status().Error)
	}
}
