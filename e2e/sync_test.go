package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// mixedTree is what a shooting day leaves behind: nested folders, an empty
// file, multi-MiB clips and names that need escaping.
func mixedTree(t *testing.T) tree {
	return tree{
		"_graded/A001C001_260422_R3CK.mov":             randomBytes(t, 3<<20+17),
		"_graded/day 2/B003C014 take#2?.mov":           randomBytes(t, 1<<20),
		"_graded/day 2/sub/deeper/100% + more & ;.mov": randomBytes(t, 70_000),
		"_graded/empty.mov":                            {},
		"_graded/café/Ünïcödé clip.mov":                randomBytes(t, 5000),
		"_thumbnails/A001C001_260422_R3CK.jpg":         randomBytes(t, 40_000),
		"_thumbnails/day 2/B003C014 take#2?.jpg":       randomBytes(t, 30_000),
	}
}

// junk is what must never be uploaded.
var junk = []string{
	"_graded/.DS_Store", "_graded/._A001C001_260422_R3CK.mov", "_graded/render.tmp",
	"_graded/copy.part", "_thumbnails/Thumbs.db", "_thumbnails/desktop.ini",
	"_graded/~lock.mov", "_graded/.hidden/secret.mov", "outside-the-dirs.mov",
}

func writeJunk(t *testing.T, root string) {
	for _, rel := range junk {
		p := filepath.Join(root, filepath.FromSlash(rel))
		mustMkdir(t, filepath.Dir(p))
		if err := os.WriteFile(p, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSyncMixedTree(t *testing.T) {
	r := newRig(t, rigOptions{})
	files := mixedTree(t)
	files.write(t, r.root)
	// macOS hands names back decomposed; the server must see one spelling.
	// The NFC folder café (from the mixed tree) holds an NFD file name.
	nfd := "_graded/café/" + norm.NFD.String("décomposé.mov")
	content := randomBytes(t, 1234)
	writeFile(t, r.root, nfd, content)
	files[norm.NFC.String(nfd)] = content
	writeJunk(t, r.root)

	r.sync(0)
	r.assertStored(files)
	st := r.status()
	if st.State != "stopped" || st.Done != len(files) || st.Failed != 0 || st.Queued != 0 || st.Active != 0 {
		t.Errorf("status after sync: %+v, want stopped with done=%d", st, len(files))
	}

	t.Run("restart signs nothing", func(t *testing.T) {
		before := r.api.Requests("sign")
		r.sync(0)
		if n := r.api.Requests("sign") - before; n != 0 {
			t.Errorf("a sync over an uploaded tree signed %d files, want 0", n)
		}
	})
	t.Run("changed file sent once", func(t *testing.T) {
		key := "_graded/day 2/B003C014 take#2?.mov"
		files[key] = append(files[key], randomBytes(t, 999)...)
		writeFile(t, r.root, key, files[key])
		before := r.api.Requests("sign")
		r.sync(0)
		if n := r.api.Requests("sign") - before; n != 1 {
			t.Errorf("a sync after one change signed %d files, want 1", n)
		}
		r.assertStored(files)
		before = r.api.Requests("sign")
		r.sync(0)
		if n := r.api.Requests("sign") - before; n != 0 {
			t.Errorf("a second sync after the change signed %d files, want 0", n)
		}
	})
}

func TestRunPicksUpNewFilesAndStopsCleanly(t *testing.T) {
	r := newRig(t, rigOptions{})
	files := tree{"_thumbnails/first.jpg": randomBytes(t, 10_000)}
	files.write(t, r.root)
	d := r.start()
	r.eventually("the first file uploaded", 60*time.Second, func() bool {
		_, ok := r.s3.Object(t, "_thumbnails/first.jpg")
		return ok
	})
	dropped := "_graded/dropped while running.mov"
	files[dropped] = randomBytes(t, 2<<20)
	writeFile(t, r.root, dropped, files[dropped])
	r.eventually("the dropped file uploaded", 60*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.Done == 2
	})
	st := r.status()
	if st.State != "running" {
		t.Errorf("state while running = %q, want running", st.State)
	}
	ctx2, cancel2 := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel2()
	second := r.cmd(ctx2, "run")
	if second.code != 2 || !strings.Contains(second.stderr, "another odailies-uploader") {
		t.Errorf("a second run on the same state dir: exit %d, stderr %q; want 2 naming the other instance", second.code, second.stderr)
	}
	d.stop()
	r.assertStored(files)
	if st := r.status(); st.State != "stopped" {
		t.Errorf("state after stop = %q, want stopped", st.State)
	}
	human := r.cmd(t.Context(), "status")
	if human.code != 0 || !strings.Contains(human.stdout, "stopped") {
		t.Errorf("status: exit %d\n%s", human.code, human.stdout)
	}
}

func TestCheckOnline(t *testing.T) {
	r := newRig(t, rigOptions{})
	res := r.cmd(t.Context(), "check")
	if res.code != 0 || !strings.Contains(res.stdout, "may upload") {
		t.Errorf("check: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if r.api.Requests("put") != 0 || len(r.s3.Keys(t)) != 0 {
		t.Errorf("check uploaded something")
	}
	ro := newRig(t, rigOptions{perm: readOnly})
	res = ro.cmd(t.Context(), "check")
	if res.code != 1 || !strings.Contains(res.stderr, "Upload permission") {
		t.Errorf("check with a read-only token: exit %d, stderr %q; want 1 naming the Upload permission", res.code, res.stderr)
	}
}

func TestRetryFailedUpload(t *testing.T) {
	r := newRig(t, rigOptions{})
	files := tree{"_graded/good.mov": randomBytes(t, 5000), "_graded/refused.mov": randomBytes(t, 6000)}
	files.write(t, r.root)
	r.signer.breakKey("_graded/refused.mov", true)
	res := r.sync(1)
	if !strings.Contains(res.stderr, "1 upload(s) failed") {
		t.Errorf("sync stderr = %q, want it to count the failure", res.stderr)
	}
	st := r.status()
	if st.Failed != 1 || len(st.RecentFailures) != 1 || st.RecentFailures[0].Path != "_graded/refused.mov" {
		t.Fatalf("status after a refused upload: %+v", st)
	}
	// Fixed; a running daemon takes the retry through its request folder.
	r.signer.breakKey("_graded/refused.mov", false)
	d := r.start()
	r.eventually("the daemon running", 30*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.State == "running"
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res = r.cmd(ctx, "retry", "_graded/refused.mov")
	if res.code != 0 || !strings.Contains(res.stdout, "1 failed upload(s) put back") {
		t.Fatalf("retry: exit %d\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
	}
	r.eventually("the retried file uploaded", 60*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.Done == 2 && s.Failed == 0
	})
	d.stop()
	r.assertStored(files)
}
