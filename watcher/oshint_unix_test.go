//go:build unix

package watcher

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

// The three OS messages as a user meets them: in Status (Error for a
// watched folder, Problems below it) and in the log, from errors injected
// where the OS gives them.

// TestRootDeniedToServiceUser: the root may not be entered by the
// service's user (Linux, EACCES): the watched folders cannot even be
// looked at, and status and the log say which setfacl lines fix it.
func TestRootDeniedToServiceUser(t *testing.T) {
	root := mkTree(t)
	tests := []struct {
		name    string
		blocker string // the folder the user may not enter
		want    []string
	}{
		{"the root", root, []string{
			"watched folder " + filepath.Join(root, "_graded") + " cannot be read",
			"the service's user (odailies-uploader) may not enter the watch root " + root,
			"sudo setfacl -R -m u:odailies-uploader:rX " + shellQuote(root),
			"sudo setfacl -R -d -m u:odailies-uploader:rX " + shellQuote(root),
			"watched folder " + filepath.Join(root, "_thumbnails") + " cannot be read",
		}},
		{"a folder above the root", filepath.Dir(root), []string{
			"watched folder " + filepath.Join(root, "_graded") + " cannot be read",
			"sudo setfacl -R -m u:odailies-uploader:rX " + shellQuote(filepath.Join(root, "_graded")),
			"first let it into " + filepath.Dir(root),
			"sudo setfacl -m u:odailies-uploader:x " + shellQuote(filepath.Dir(root)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			denied := func(p string) bool { return strings.HasPrefix(p, tt.blocker+string(filepath.Separator)) }
			rec := &logRecorder{}
			w, c := start(t, root, Options{Rescan: time.Hour, Logger: slog.New(rec)}, func(w *Watcher) {
				w.lstat = func(p string) (fs.FileInfo, error) {
					if denied(p) {
						return nil, &fs.PathError{Op: "lstat", Path: p, Err: syscall.EACCES}
					}
					return os.Lstat(p)
				}
				w.osEnv = &osEnv{goos: "linux", user: "odailies-uploader", lstat: func(p string) error {
					_, err := w.lstat(p)
					return err
				}}
			})
			waitFor(t, c, "a scan", func() bool { return c.scanCount() > 0 })
			got := w.Status().Error
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("Status.Error %q\ndoes not say %q", got, want)
				}
			}
			warned := false
			for _, r := range rec.find(slog.LevelWarn, "watcher problem") {
				r.Attrs(func(a slog.Attr) bool {
					warned = warned || a.Key == "error" && strings.Contains(a.Value.String(), tt.want[2])
					return true
				})
			}
			if !warned {
				t.Errorf("the log's watcher problem warning does not say %q", tt.want[2])
			}
		})
	}
}

// TestProtectedFolderNeedsFullDiskAccess: macOS refuses to list a folder
// under a protected location (EPERM, "operation not permitted"): the
// problem names Full Disk Access and the binary to give it to.
func TestProtectedFolderNeedsFullDiskAccess(t *testing.T) {
	root := mkTree(t)
	day := filepath.Join(root, "_graded", "day")
	writeFile(t, filepath.Join(day, "a.mov"), 1)
	rec := &logRecorder{}
	w, c := start(t, root, Options{Rescan: time.Hour, Logger: slog.New(rec)}, func(w *Watcher) {
		w.readDir = func(dir string) ([]fs.DirEntry, error) {
			if dir == day {
				return nil, &fs.PathError{Op: "open", Path: dir, Err: syscall.EPERM}
			}
			return os.ReadDir(dir)
		}
		w.osEnv = &osEnv{goos: "darwin", user: "root", exe: "/usr/local/bin/odailies-uploader"}
	})
	waitFor(t, c, "problem", func() bool { return problemsOf(w)["_graded/day"] != "" })
	text := problemsOf(w)["_graded/day"]
	for _, want := range []string{"operation not permitted", "Full Disk Access", "/usr/local/bin/odailies-uploader"} {
		if !strings.Contains(text, want) {
			t.Errorf("problem %q does not say %q", text, want)
		}
	}
	if strings.Contains(text, "chmod") {
		t.Errorf("problem %q: a permission change does not lift macOS's privacy protection", text)
	}
	if len(rec.find(slog.LevelWarn, "file or folder held back")) != 1 {
		t.Error("no warning in the log for the held-back folder")
	}
	if n, _ := c.count("_graded/day/a.mov"); n != 0 || !c.lastScan().Present("_graded/day/a.mov") {
		t.Fatalf("a.mov emitted %d times: a protected folder's files are neither sent nor forgotten", n)
	}
}

// TestWindowsLongPathRefused: a folder deep in a Resolve tree that Windows
// refuses for its length (ERROR_FILENAME_EXCED_RANGE) is a problem that
// says how to turn long paths on.
func TestWindowsLongPathRefused(t *testing.T) {
	root := mkTree(t)
	deep := filepath.Join(root, "_graded")
	for len(deep) < 300 {
		deep = filepath.Join(deep, "Reel 03 Day 12 Camera A")
	}
	writeFile(t, filepath.Join(deep, "A001C003.mov"), 1)
	rel := strings.TrimPrefix(filepath.ToSlash(deep), filepath.ToSlash(root)+"/")
	w, c := start(t, root, Options{Rescan: time.Hour}, func(w *Watcher) {
		w.readDir = func(dir string) ([]fs.DirEntry, error) {
			if dir == deep {
				return nil, &fs.PathError{Op: "open", Path: dir, Err: syscall.Errno(206)}
			}
			return os.ReadDir(dir)
		}
		w.osEnv = &osEnv{goos: "windows", user: "SYSTEM"}
	})
	waitFor(t, c, "problem", func() bool { return problemsOf(w)[rel] != "" })
	text := problemsOf(w)[rel]
	for _, want := range []string{"over Windows' 260-character limit", "Enable Win32 long paths", "LongPathsEnabled = 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("problem %q does not say %q", text, want)
		}
	}
}
