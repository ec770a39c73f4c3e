//go:build unix

package watcher

// Files and folders this process may not read: Status.Problems. Run as
// root, which reads everything, the tests emulate the kernel's answer for
// mode-000 paths through the open and readDir seams; TestAsServiceUser
// also runs them for real as an unprivileged user.

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// denyAsRoot makes mode-000 files and folders unreadable when the tests
// run as root, as they are for the service's user.
func denyAsRoot(w *Watcher) {
	if os.Geteuid() != 0 {
		return
	}
	locked := func(name string) bool {
		fi, err := os.Lstat(name)
		return err == nil && fi.Mode().Perm()&0o444 == 0
	}
	w.canOpen = func(name string) error {
		if locked(name) {
			return &fs.PathError{Op: "open", Path: name, Err: syscall.EACCES}
		}
		return canOpen(name)
	}
	w.readDir = func(dir string) ([]fs.DirEntry, error) {
		if locked(dir) {
			return nil, &fs.PathError{Op: "open", Path: dir, Err: syscall.EACCES}
		}
		return os.ReadDir(dir)
	}
}

func chmod(t *testing.T, name string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(name, 0o755) }) // so that TempDir can be removed
}

func TestUnreadableFileIsAProblem(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			root := mkTree(t)
			locked := filepath.Join(root, "_graded", "locked.mov")
			writeFile(t, locked, 3)
			chmod(t, locked, 0)
			rec := &logRecorder{}
			opts := m.opts
			opts.Logger = slog.New(rec)
			w, c := start(t, root, opts, denyAsRoot)
			waitFor(t, c, "problem", func() bool { return problemsOf(w)["_graded/locked.mov"] != "" })
			text := problemsOf(w)["_graded/locked.mov"]
			for _, want := range []string{"permission denied", "cannot read this file", "setfacl -m u:" + serviceUser() + ":r " + locked, "file's group"} {
				if !strings.Contains(text, want) {
					t.Errorf("problem %q does not say %q", text, want)
				}
			}
			sentinel(t, root, c)
			sentinel(t, root, c) // several scans in poll mode
			waitFor(t, c, "nothing pending", func() bool { return w.Status().Pending == 0 })
			if n, _ := c.count("_graded/locked.mov"); n != 0 || !c.lastScan().Present("_graded/locked.mov") {
				t.Fatalf("emitted %d times, pending %d: an unreadable file is neither sent nor pending, but present", n, w.Status().Pending)
			}
			if n := len(rec.find(slog.LevelWarn, "file or folder held back")); n != 1 {
				t.Fatalf("%d warnings; want one for the one problem", n)
			}
			chmod(t, locked, 0o644)
			waitFor(t, c, "emitted once readable", func() bool { n, _ := c.count("_graded/locked.mov"); return n == 1 })
			waitFor(t, c, "problem cleared", func() bool { return len(w.Status().Problems) == 0 })
		})
	}
}

func TestUnreadableFolderIsAProblem(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			root := mkTree(t)
			day := filepath.Join(root, "_graded", "day")
			writeFile(t, filepath.Join(day, "a.mov"), 1)
			w, c := start(t, root, m.opts, denyAsRoot)
			waitFor(t, c, "a.mov", func() bool { n, _ := c.count("_graded/day/a.mov"); return n == 1 })
			chmod(t, day, 0)
			waitFor(t, c, "problem", func() bool { return problemsOf(w)["_graded/day"] != "" })
			if text := problemsOf(w)["_graded/day"]; !strings.Contains(text, "cannot read this folder") ||
				!strings.Contains(text, "setfacl -R -m u:"+serviceUser()+":rX "+day) {
				t.Errorf("problem %q", text)
			}
			sentinel(t, root, c)
			if !c.lastScan().Present("_graded/day/a.mov") {
				t.Fatal("a file in an unreadable folder is not present: the caller would prune it")
			}
			chmod(t, day, 0o755)
			writeFile(t, filepath.Join(day, "b.mov"), 1)
			waitFor(t, c, "b.mov", func() bool { n, _ := c.count("_graded/day/b.mov"); return n == 1 })
			waitFor(t, c, "problem cleared", func() bool { return len(w.Status().Problems) == 0 })
			if n, _ := c.count("_graded/day/a.mov"); n != 1 {
				t.Fatalf("a.mov emitted %d times; it never went away", n)
			}
		})
	}
}

// TestUnsearchableFolderIsAProblem: a folder that may be listed but not
// entered (r without x) is a problem too. Root enters anything, so this
// one runs only unprivileged (TestAsServiceUser).
func TestUnsearchableFolderIsAProblem(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root enters any folder")
	}
	root := mkTree(t)
	day := filepath.Join(root, "_graded", "day")
	writeFile(t, filepath.Join(day, "a.mov"), 1)
	chmod(t, day, 0o444)
	w, c := start(t, root, Options{Rescan: time.Hour}, nil)
	waitFor(t, c, "problem", func() bool { return strings.Contains(problemsOf(w)["_graded/day"], "permission denied") })
	if n, _ := c.count("_graded/day/a.mov"); n != 0 || !c.lastScan().Present("_graded/day/a.mov") {
		t.Fatalf("a.mov emitted %d times; want none, and present", n)
	}
}

func TestProblemsClearWhenGone(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			root := mkTree(t)
			locked := filepath.Join(root, "_graded", "locked.mov")
			day := filepath.Join(root, "_graded", "day")
			writeFile(t, locked, 3)
			writeFile(t, filepath.Join(day, "a.mov"), 1)
			chmod(t, locked, 0)
			chmod(t, day, 0)
			w, c := start(t, root, m.opts, denyAsRoot)
			waitFor(t, c, "two problems", func() bool { return len(w.Status().Problems) == 2 })
			if err := os.Remove(locked); err != nil {
				t.Fatal(err)
			}
			chmod(t, day, 0o755)
			if err := os.RemoveAll(day); err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, "no problem", func() bool { return len(w.Status().Problems) == 0 })
		})
	}
}

func TestProblemsAreBounded(t *testing.T) {
	root := mkTree(t)
	const n = MaxProblems + 50
	for i := range n {
		name := filepath.Join(root, "_graded", "locked", strings.Repeat("x", 1+i%7)+string(rune('a'+i%26))+time.Duration(i).String()+".mov")
		writeFile(t, name, 1)
		chmod(t, name, 0)
	}
	rec := &logRecorder{}
	w, c := start(t, root, Options{Settle: 10 * time.Millisecond, Poll: true, PollInterval: 20 * time.Millisecond, Logger: slog.New(rec)}, denyAsRoot)
	waitFor(t, c, "problems", func() bool { s := w.Status(); return len(s.Problems)+s.MoreProblems == n })
	sentinel(t, root, c)
	s := w.Status()
	if len(s.Problems) != MaxProblems || s.MoreProblems != n-MaxProblems {
		t.Fatalf("%d listed, %d more; want %d and %d", len(s.Problems), s.MoreProblems, MaxProblems, n-MaxProblems)
	}
	for i := 1; i < len(s.Problems); i++ {
		if s.Problems[i-1].Path >= s.Problems[i].Path {
			t.Fatalf("not sorted at %d: %q, %q", i, s.Problems[i-1].Path, s.Problems[i].Path)
		}
	}
	if held, more := len(rec.find(slog.LevelWarn, "file or folder held back")), len(rec.find(slog.LevelWarn, "more files and folders held back than status lists")); held != MaxProblems || more != 1 {
		t.Fatalf("%d warnings for problems and %d for the rest; want %d and 1", held, more, MaxProblems)
	}
}
