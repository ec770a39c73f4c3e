package watcher

// Files that go away and come back are emitted again: the queue, not the
// watcher, knows what was uploaded (doc.go, "Missing folders").

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// modes runs a test in event mode and in poll mode.
var modes = []struct {
	name string
	opts Options
}{
	{"events", Options{Settle: 50 * time.Millisecond, Rescan: time.Hour}},
	{"poll", Options{Settle: 50 * time.Millisecond, Poll: true, PollInterval: 20 * time.Millisecond}},
}

// waitCount waits until every path was emitted n times.
func waitCount(t *testing.T, c *collector, paths []string, n int) {
	t.Helper()
	for _, p := range paths {
		waitFor(t, c, fmt.Sprintf("%s emitted %d times", p, n), func() bool { k, _ := c.count(p); return k == n })
	}
}

// twenty writes twenty files into root/_graded/day1 and returns their paths.
func twenty(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	for i := range 20 {
		p := fmt.Sprintf("_graded/day1/A%03d.mov", i)
		writeFile(t, filepath.Join(root, filepath.FromSlash(p)), i+1)
		paths = append(paths, p)
	}
	return paths
}

// sentinel writes a new thumbnail and waits for it: events come in order,
// and in poll mode it takes a scan that started after the write, so
// whatever was done to the tree before it has been seen.
func sentinel(t *testing.T, root string, c *collector) {
	t.Helper()
	p := fmt.Sprintf("_thumbnails/sentinel%d.jpg", len(c.emitted()))
	writeFile(t, filepath.Join(root, filepath.FromSlash(p)), 1)
	waitFor(t, c, p, func() bool { n, _ := c.count(p); return n == 1 })
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func TestFolderRenamedAwayAndBackIsEmittedAgain(t *testing.T) {
	for _, m := range modes {
		for _, folder := range []string{"_graded", "_graded/day1"} {
			t.Run(m.name+"/"+folder, func(t *testing.T) {
				root := mkTree(t)
				paths := twenty(t, root)
				w, c := start(t, root, m.opts, func(w *Watcher) { w.recheck = 20 * time.Millisecond })
				waitCount(t, c, paths, 1)

				dir := filepath.Join(root, filepath.FromSlash(folder))
				mustRename(t, dir, filepath.Join(root, "away"))
				sentinel(t, root, c) // the watcher has seen the folder go
				if folder == "_graded" && m.opts.Poll {
					if dirs := c.lastScan().Dirs; len(dirs) != 1 || dirs[0] != "_thumbnails" {
						t.Fatalf("scan while _graded is away covers %v: the caller would prune it", dirs)
					}
				}
				mustRename(t, filepath.Join(root, "away"), dir)
				waitCount(t, c, paths, 2)
				scans := c.scanCount()
				waitFor(t, c, "healthy", func() bool { return w.Status().Error == "" })
				if m.opts.Poll {
					waitFor(t, c, "two more scans", func() bool { return c.scanCount() >= scans+2 })
				}
				for _, p := range paths {
					if n, _ := c.count(p); n != 2 {
						t.Fatalf("%s emitted %d times; want twice (once before, once after the folder came back)", p, n)
					}
				}
			})
		}
	}
}

func TestRootRenamedAwayAndBackIsEmittedAgain(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "media")
			paths := twenty(t, root)
			if err := os.Mkdir(filepath.Join(root, "_thumbnails"), 0o755); err != nil {
				t.Fatal(err)
			}
			w, c := start(t, root, m.opts, func(w *Watcher) { w.recheck = 20 * time.Millisecond })
			waitCount(t, c, paths, 1)

			mustRename(t, root, filepath.Join(parent, "media.away"))
			waitFor(t, c, "both dirs missing", func() bool { return w.Status().Error != "" && w.Status().Pending == 0 })
			mustRename(t, filepath.Join(parent, "media.away"), root)
			waitCount(t, c, paths, 2)
			waitFor(t, c, "healthy", func() bool { return w.Status().Error == "" })
			writeFile(t, filepath.Join(root, "_graded", "new.mov"), 1) // watched again
			waitFor(t, c, "new.mov", func() bool { n, _ := c.count("_graded/new.mov"); return n == 1 })
		})
	}
}

func TestFileRemovedAndRecreatedIdenticalIsEmittedAgain(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			root := mkTree(t)
			name := filepath.Join(root, "_graded", "A001.mov")
			writeFile(t, name, 10)
			mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(name, mtime, mtime); err != nil {
				t.Fatal(err)
			}
			_, c := start(t, root, m.opts, nil)
			waitFor(t, c, "first emission", func() bool { n, _ := c.count("_graded/A001.mov"); return n == 1 })

			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
			sentinel(t, root, c) // in poll mode, a scan has not found it
			writeFile(t, name, 10)
			if err := os.Chtimes(name, mtime, mtime); err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, "second emission", func() bool { n, _ := c.count("_graded/A001.mov"); return n == 2 })
			_, f := c.count("_graded/A001.mov")
			if f.Size != 10 || !f.ModTime.Equal(mtime) || f.Disk != f.Path {
				t.Fatalf("re-emitted %+v; want the same version", f)
			}
		})
	}
}
