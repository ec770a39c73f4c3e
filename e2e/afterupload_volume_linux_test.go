package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sameDevice reports whether a and b are on one file system (a rename
// between them would not give EXDEV).
func sameDevice(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	return fa.Sys().(*syscall.Stat_t).Dev == fb.Sys().(*syscall.Stat_t).Dev
}

// TestAfterUploadMoveAcrossVolumes: after_upload_dir on another volume (a
// tmpfs the test mounts): each file is uploaded once, then lands there
// byte for byte with its modification time, and its original is gone; a
// name already taken there is not overwritten (the file becomes
// "b (2).mov"); no partial copy is left; the log, status.json and the
// report say where each file went.
func TestAfterUploadMoveAcrossVolumes(t *testing.T) {
	requireMounts(t)
	r := newRig(t, rigOptions{countPuts: true})
	vol := filepath.Join(r.dir, "archive-volume")
	mustMkdir(t, vol)
	mountTmpfs(t, vol, "64m", "0755")
	dest := filepath.Join(vol, "uploaded")
	r.setAfterUpload("move", dest, "")
	if sameDevice(t, r.root, vol) {
		t.Fatalf("%s and %s are on one device: the mount did not take", r.root, vol)
	}

	files := tree{
		"_graded/Day03/a.mov":      randomBytes(t, 3<<20+17),
		"_graded/Day03/b.mov":      randomBytes(t, 200_000),
		"_thumbnails/Day03/a.jpg":  randomBytes(t, 40_000),
		"_graded/Day03/empty.mov":  {},
		"_graded/Day03/odd é#.mov": randomBytes(t, 1234),
	}
	files.write(t, r.root)
	mtime := map[string]time.Time{}
	for i, rel := range files.sortedKeys() {
		m := time.Date(2026, 4, 22, 18, 3, 11, 123456789+i, time.UTC) // nanoseconds, which a careless copy drops
		if err := os.Chtimes(filepath.Join(r.root, filepath.FromSlash(rel)), m, m); err != nil {
			t.Fatal(err)
		}
		mtime[rel] = m
	}
	// Another file already holds b.mov's name on the archive volume.
	taken := []byte("an earlier b.mov, not this one")
	writeFile(t, dest, "_graded/Day03/b.mov", taken)

	d := r.start()
	r.eventually("every file uploaded and moved", 60*time.Second, func() bool {
		done, pending, failed, acted, ok := r.actionCounts()
		return ok && done == len(files) && pending == 0 && failed == 0 && acted == len(files)
	})
	d.stop()

	r.assertStored(files)
	for rel, body := range files {
		if n := r.puts.Puts(rel); n != 1 {
			t.Errorf("%s: %d PUTs, want 1", rel, n)
		}
		if _, err := os.Lstat(filepath.Join(r.root, filepath.FromSlash(rel))); !os.IsNotExist(err) {
			t.Errorf("%s: the original is still in the watched folder (%v)", rel, err)
		}
		landed := filepath.Join(dest, filepath.FromSlash(rel))
		if rel == "_graded/Day03/b.mov" {
			landed = filepath.Join(dest, "_graded", "Day03", "b (2).mov")
		}
		got, err := os.ReadFile(landed)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: at %s: %d bytes (want %d), %v", rel, landed, len(got), len(body), err)
			continue
		}
		fi, err := os.Stat(landed)
		if err != nil || !fi.ModTime().Equal(mtime[rel]) {
			t.Errorf("%s: moved copy modified %v, want %v (%v)", rel, fi.ModTime(), mtime[rel], err)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dest, "_graded", "Day03", "b.mov")); err != nil || !bytes.Equal(got, taken) {
		t.Errorf("the file that held b.mov's name was overwritten: %q, %v", got, err)
	}
	var onVolume []string
	filepath.WalkDir(vol, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(vol, p)
			onVolume = append(onVolume, rel)
		}
		return nil
	})
	if len(onVolume) != len(files)+1 {
		t.Errorf("the archive volume holds %d files, want %d (no partial copy, no second copy): %q", len(onVolume), len(files)+1, onVolume)
	}

	log := r.logText()
	for _, want := range []string{
		"moved _graded/Day03/a.mov to " + filepath.Join(dest, "_graded", "Day03", "a.mov"),
		"moved _graded/Day03/b.mov to " + filepath.Join(dest, "_graded", "Day03", "b (2).mov"),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, r.logTail())
		}
	}
	if strings.Contains(log, "is empty (it held") {
		t.Errorf("a folder emptied by the moves was taken for a volume gone away:\n%s", r.logTail())
	}

	// The report, with the daemon stopped, says where each file went.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res := r.cmd(ctx, "report", "-csv")
	if res.code != 0 {
		t.Fatalf("report -csv exited %d: %s", res.code, res.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if err != nil || len(rows) != len(files)+1 {
		t.Fatalf("report -csv: %d rows, %v:\n%s", len(rows), err, res.stdout)
	}
	if rows[0][len(rows[0])-1] != "after_upload" {
		t.Errorf("report header %q: after_upload is not the last column", rows[0])
	}
	for _, row := range rows[1:] {
		want := "moved to " + filepath.Join(dest, filepath.FromSlash(row[0]))
		if row[0] == "_graded/Day03/b.mov" {
			want = "moved to " + filepath.Join(dest, "_graded", "Day03", "b (2).mov")
		}
		if got := row[len(row)-1]; got != want {
			t.Errorf("report: %s after_upload %q, want %q", row[0], got, want)
		}
	}
}
