package watcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a fresh tmpfs on dir, unmounted at the end of the test
// if it still is mounted.
func mountTmpfs(t *testing.T, dir string) {
	t.Helper()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=4m,mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
}

// TestTmpfsUnmountedAndRemounted is the drive unplugged for real: the
// watched dir becomes the empty mount point below it, on another device,
// and no event says so; a rescan finds it empty and suspect. Mounted again
// (and filled with the same files), it is on a device again and its files
// are emitted again, the queue's done records being what keeps them from
// being sent twice.
func TestTmpfsUnmountedAndRemounted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting takes root")
	}
	root := mkTree(t)
	graded := filepath.Join(root, "_graded")
	mountTmpfs(t, graded)
	mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
	fill := func() {
		for _, n := range []string{"a.mov", "b.mov", "c.mov"} {
			writeFile(t, filepath.Join(graded, n), 5)
			if err := os.Chtimes(filepath.Join(graded, n), mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	fill()
	w, c := start(t, root, Options{Settle: 10 * time.Millisecond, Rescan: 30 * time.Millisecond}, nil)
	waitFor(t, c, "three files", func() bool { return len(c.emitted()) == 3 })
	mounted := scanAfter(t, c, "_graded")

	if err := unix.Unmount(graded, 0); err != nil {
		t.Fatal(err)
	}
	const empty = "watched folder _graded is empty (it held 3 files)"
	waitFor(t, c, "suspect", func() bool { in, _ := c.info("_graded"); return strings.HasPrefix(in.Suspect, empty) })
	if in, _ := c.info("_graded"); in.Files != 0 || in.Device == mounted.Device || !strings.HasPrefix(w.Status().Error, empty) {
		t.Fatalf("unmounted: %+v, error %q", in, w.Status().Error)
	}

	mountTmpfs(t, graded)
	fill()
	waitFor(t, c, "emitted again", func() bool { n, _ := c.count("_graded/c.mov"); return n == 2 && len(c.emitted()) == 6 })
	waitFor(t, c, "healthy", func() bool {
		in, _ := c.info("_graded")
		return in.Files == 3 && in.Suspect == "" && w.Status().Error == ""
	})
	writeFile(t, filepath.Join(graded, "d.mov"), 1) // on the new mount, watched
	waitFor(t, c, "d.mov", func() bool { n, _ := c.count("_graded/d.mov"); return n == 1 })
}
