package watcher

// Folders that go missing, come back, or move within and out of the tree.

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMissingRootThenCreated(t *testing.T) {
	root := filepath.Join(t.TempDir(), "media")
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: time.Hour}, func(w *Watcher) { w.recheck = 20 * time.Millisecond })
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
	if s := w.Status(); s.Error == "" || len(c.lastScan().Dirs) != 0 {
		t.Fatalf("missing root not reported: %+v", s)
	}
	writeFile(t, filepath.Join(root, "_graded", "late.mov"), 3)
	waitFor(t, c, "late.mov", func() bool { n, _ := c.count("_graded/late.mov"); return n == 1 })
	waitFor(t, c, "only _thumbnails missing", func() bool {
		s := w.Status()
		return s.Error != "" && len(c.lastScan().Dirs) == 1
	})
	if err := os.Mkdir(filepath.Join(root, "_thumbnails"), 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "healthy", func() bool { return w.Status().Error == "" })
}

func TestWatchedDirUnpluggedAndBack(t *testing.T) {
	root := mkTree(t)
	graded := filepath.Join(root, "_graded")
	writeFile(t, filepath.Join(graded, "a.mov"), 3)
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: time.Hour}, func(w *Watcher) { w.recheck = 20 * time.Millisecond })
	waitFor(t, c, "a.mov", func() bool { n, _ := c.count("_graded/a.mov"); return n == 1 })

	moved := filepath.Join(t.TempDir(), "away")
	if err := os.Rename(graded, moved); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "error", func() bool { return w.Status().Error != "" })
	writeFile(t, filepath.Join(moved, "b.mov"), 3)
	if err := os.Rename(moved, graded); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "b.mov", func() bool { n, _ := c.count("_graded/b.mov"); return n == 1 })
	waitFor(t, c, "healthy", func() bool { return w.Status().Error == "" })
	// The queue's done records, not the watcher's memory, keep a.mov from
	// being sent twice: the watcher hands it over again.
	waitFor(t, c, "a.mov again", func() bool { n, _ := c.count("_graded/a.mov"); return n == 2 })
}

func TestMovesWithinAndOutOfTree(t *testing.T) {
	root := mkTree(t)
	writeFile(t, filepath.Join(root, "_graded", "day1", "a.mov"), 3)
	_, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: time.Hour}, nil)
	waitFor(t, c, "a.mov", func() bool { n, _ := c.count("_graded/day1/a.mov"); return n == 1 })

	if err := os.Rename(filepath.Join(root, "_graded", "day1"), filepath.Join(root, "_graded", "day2")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "moved folder", func() bool { n, _ := c.count("_graded/day2/a.mov"); return n == 1 })
	// New files in the moved folder are seen through its new watch.
	writeFile(t, filepath.Join(root, "_graded", "day2", "b.mov"), 3)
	waitFor(t, c, "b.mov", func() bool { n, _ := c.count("_graded/day2/b.mov"); return n == 1 })
	// Moved in from outside.
	out := filepath.Join(t.TempDir(), "c.mov")
	writeFile(t, out, 4)
	if err := os.Rename(out, filepath.Join(root, "_thumbnails", "c.mov")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "moved in", func() bool { n, _ := c.count("_thumbnails/c.mov"); return n == 1 })
}

func TestMovingOutOfTreeDropsPending(t *testing.T) {
	root := mkTree(t)
	w, c := start(t, root, Options{Settle: time.Hour, Rescan: time.Hour}, nil)
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })

	writeFile(t, filepath.Join(root, "_graded", "one.mov"), 1)
	writeFile(t, filepath.Join(root, "_graded", "day", "two.mov"), 1)
	writeFile(t, filepath.Join(root, "_graded", "day", "three.mov"), 1)
	waitFor(t, c, "three pending", func() bool { return w.Status().Pending == 3 })

	away := t.TempDir()
	if err := os.Rename(filepath.Join(root, "_graded", "one.mov"), filepath.Join(away, "one.mov")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "file moved out", func() bool { return w.Status().Pending == 2 })
	if err := os.Rename(filepath.Join(root, "_graded", "day"), filepath.Join(away, "day")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "folder moved out", func() bool { return w.Status().Pending == 0 })
	writeFile(t, filepath.Join(away, "day", "four.mov"), 1) // no longer watched
	writeFile(t, filepath.Join(root, "_graded", "five.mov"), 1)
	waitFor(t, c, "five pending", func() bool { return w.Status().Pending == 1 })
	if len(c.emitted()) != 0 {
		t.Fatalf("emitted %+v before settle", c.emitted())
	}
}
