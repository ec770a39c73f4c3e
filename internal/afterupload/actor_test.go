package afterupload

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/fileid"
	"github.com/odailies/odailies-uploader/queue"
)

// records is a working fake of the queue's part: pending actions in, results out.
type records struct {
	mu      sync.Mutex
	pending []queue.PendingAction
	results map[string]queue.ActResult
	acted   chan string // when not nil, told each path Acted records
}

func (r *records) PendingActions() ([]queue.PendingAction, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]queue.PendingAction(nil), r.pending...), nil
}

func (r *records) Acted(p queue.PendingAction, res queue.ActResult) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, q := range r.pending {
		if q.Path == p.Path {
			r.pending = append(r.pending[:i], r.pending[i+1:]...)
			if res.State == queue.ActFailed {
				p.State, p.Reason = queue.ActFailed, res.Reason
				r.pending = append(r.pending, p)
			}
			break
		}
	}
	if r.results == nil {
		r.results = make(map[string]queue.ActResult)
	}
	r.results[p.Path] = res
	if r.acted != nil {
		r.acted <- p.Path
	}
	return nil
}

var mtime = time.Date(2026, 4, 22, 18, 3, 11, 500, time.UTC)

// rig is a watch root with a file uploaded: its pending action as the
// queue would hold it after the Done.
type rig struct {
	root, dir string
	recs      *records
}

func newRig(t *testing.T, dir string) *rig {
	root := t.TempDir()
	if dir == "" {
		dir = filepath.Join(root, "_uploaded")
	}
	return &rig{root: root, dir: dir, recs: &records{}}
}

// uploaded writes rel with body and records its action as pending.
func (r *rig) uploaded(t *testing.T, rel, body string, a queue.Action) queue.PendingAction {
	t.Helper()
	abs := filepath.Join(r.root, filepath.FromSlash(rel))
	writeFile(t, abs, body)
	f, err := os.Open(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, fi, ok, err := fileid.Of(f)
	if err != nil || !ok {
		t.Fatalf("fileid: %v %v", ok, err)
	}
	sum := md5.Sum([]byte(body))
	p := queue.PendingAction{Path: rel, Size: fi.Size(), ModTime: fi.ModTime(), MD5: hex.EncodeToString(sum[:]),
		Action: a, State: queue.ActPending}
	copy(p.FileID[:], id.Bytes())
	r.recs.pending = append(r.recs.pending, p)
	return p
}

func writeFile(t *testing.T, abs, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(abs, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// pass runs one pass of an Actor configured for action a.
func (r *rig) pass(t *testing.T, a queue.Action) {
	t.Helper()
	act := New(r.recs, Options{Root: r.root, Dir: r.dir, Action: a})
	if err := act.pass(t.Context(), true); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) result(t *testing.T, rel string) queue.ActResult {
	t.Helper()
	res, ok := r.recs.results[rel]
	if !ok {
		t.Fatalf("no result for %s", rel)
	}
	return res
}

func readFile(t *testing.T, abs string) string {
	t.Helper()
	b, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(abs string) bool { _, err := os.Lstat(abs); return err == nil }

func TestMoveKeepsRelativePath(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/Day03/a.mov", "clip", queue.ActionMove)
	r.pass(t, queue.ActionMove)
	if res := r.result(t, "_graded/Day03/a.mov"); res.State != queue.ActDone || res.Dest != "_uploaded/_graded/Day03/a.mov" {
		t.Fatalf("result %+v", res)
	}
	if got := readFile(t, filepath.Join(r.dir, "_graded", "Day03", "a.mov")); got != "clip" {
		t.Errorf("moved file holds %q", got)
	}
	if exists(filepath.Join(r.root, "_graded", "Day03", "a.mov")) {
		t.Error("the original is still there")
	}
}

// TestMoveNeverOverwrites: a name taken at the destination gets the next
// free one; both files are kept.
func TestMoveNeverOverwrites(t *testing.T) {
	r := newRig(t, "")
	writeFile(t, filepath.Join(r.dir, "_graded", "a.mov"), "earlier render")
	writeFile(t, filepath.Join(r.dir, "_graded", "a (2).mov"), "even earlier")
	r.uploaded(t, "_graded/a.mov", "new render", queue.ActionMove)
	r.pass(t, queue.ActionMove)
	if res := r.result(t, "_graded/a.mov"); res.State != queue.ActDone || res.Dest != "_uploaded/_graded/a (3).mov" {
		t.Fatalf("result %+v", res)
	}
	for name, want := range map[string]string{"a.mov": "earlier render", "a (2).mov": "even earlier", "a (3).mov": "new render"} {
		if got := readFile(t, filepath.Join(r.dir, "_graded", name)); got != want {
			t.Errorf("%s holds %q, want %q", name, got, want)
		}
	}
}

// TestReplacedFileNotActedOn: a file replaced at its path by another of
// the same size and modification time is not the file uploaded: neither
// moved nor deleted.
func TestReplacedFileNotActedOn(t *testing.T) {
	for _, a := range []queue.Action{queue.ActionMove, queue.ActionDelete} {
		t.Run(a.String(), func(t *testing.T) {
			r := newRig(t, "")
			r.uploaded(t, "_graded/a.mov", "take one", a)
			abs := filepath.Join(r.root, "_graded", "a.mov")
			tmp := abs + ".new"
			writeFile(t, tmp, "take two") // same size, same mtime
			if err := os.Rename(tmp, abs); err != nil {
				t.Fatal(err)
			}
			r.pass(t, a)
			res := r.result(t, "_graded/a.mov")
			if res.State != queue.ActSkipped || !strings.Contains(res.Reason, "replaced") {
				t.Errorf("result %+v, want skipped: replaced", res)
			}
			if got := readFile(t, abs); got != "take two" {
				t.Errorf("file at the path holds %q", got)
			}
			if exists(filepath.Join(r.dir, "_graded", "a.mov")) {
				t.Error("moved anyway")
			}
		})
	}
}

func TestChangedFileNotActedOn(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/a.mov", "take one", queue.ActionDelete)
	abs := filepath.Join(r.root, "_graded", "a.mov")
	if err := os.WriteFile(abs, []byte("take one, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.pass(t, queue.ActionDelete)
	if res := r.result(t, "_graded/a.mov"); res.State != queue.ActSkipped || !strings.Contains(res.Reason, "changed") {
		t.Errorf("result %+v", res)
	}
	if !exists(abs) {
		t.Error("deleted a changed file")
	}
}

// TestRedoAfterCrash: actions a crash kept from being recorded are found
// done at the next start: a file already moved (at the destination, same
// identity), already deleted, or copied to another volume but not yet
// removed (the copy is not made twice).
func TestRedoAfterCrash(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/moved.mov", "m", queue.ActionMove)
	r.uploaded(t, "_graded/deleted.mov", "d", queue.ActionMove)
	if err := os.MkdirAll(filepath.Join(r.dir, "_graded"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(r.root, "_graded", "moved.mov"), filepath.Join(r.dir, "_graded", "moved.mov")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(r.root, "_graded", "deleted.mov")) // by hand, before the move
	r.pass(t, queue.ActionMove)
	if res := r.result(t, "_graded/moved.mov"); res.State != queue.ActDone || res.Dest != "_uploaded/_graded/moved.mov" {
		t.Errorf("moved before the crash: %+v", res)
	}
	if res := r.result(t, "_graded/deleted.mov"); res.State != queue.ActSkipped {
		t.Errorf("a move whose file is nowhere: %+v, want skipped", res)
	}

	d := newRig(t, "")
	d.uploaded(t, "_graded/gone.mov", "g", queue.ActionDelete)
	os.Remove(filepath.Join(d.root, "_graded", "gone.mov"))
	d.pass(t, queue.ActionDelete)
	if res := d.result(t, "_graded/gone.mov"); res.State != queue.ActDone {
		t.Errorf("deleted before the crash: %+v, want done", res)
	}

	// A copy to another volume in place, the original not yet removed.
	c := newRig(t, "")
	c.uploaded(t, "_graded/c.mov", "copied", queue.ActionMove)
	writeFile(t, filepath.Join(c.dir, "_graded", "c.mov"), "copied")
	c.pass(t, queue.ActionMove)
	if res := c.result(t, "_graded/c.mov"); res.State != queue.ActDone || res.Dest != "_uploaded/_graded/c.mov" {
		t.Errorf("copied before the crash: %+v", res)
	}
	if exists(filepath.Join(c.root, "_graded", "c.mov")) || exists(filepath.Join(c.dir, "_graded", "c (2).mov")) {
		t.Error("the original is left, or a second copy was made")
	}
}

// TestMoveToAnotherVolume: with after_upload_dir on another file system
// (/dev/shm, a tmpfs, when the temp dir is not one), the move copies,
// checks and removes; a partial copy left by a crash is not left behind.
func TestMoveToAnotherVolume(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "afterupload-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	r := newRig(t, shm)
	if devOf(t, r.root) == devOf(t, shm) {
		t.Skip("the temp dir is on /dev/shm's file system")
	}
	r.uploaded(t, "_graded/a.mov", strings.Repeat("frame", 1000), queue.ActionMove)
	writeFile(t, filepath.Join(shm, "_graded", ".a.mov.odailies-partial"), "half") // a crash mid-copy
	r.pass(t, queue.ActionMove)
	if res := r.result(t, "_graded/a.mov"); res.State != queue.ActDone || res.Dest != filepath.Join(shm, "_graded", "a.mov") {
		t.Fatalf("result %+v", res)
	}
	moved := filepath.Join(shm, "_graded", "a.mov")
	if got := readFile(t, moved); got != strings.Repeat("frame", 1000) {
		t.Errorf("copy holds %d bytes", len(got))
	}
	if fi, _ := os.Stat(moved); !fi.ModTime().Equal(mtime) {
		t.Errorf("copy's mtime %v, want %v", fi.ModTime(), mtime)
	}
	if exists(filepath.Join(r.root, "_graded", "a.mov")) || exists(filepath.Join(shm, "_graded", ".a.mov.odailies-partial")) {
		t.Error("the original or the partial copy is left behind")
	}
}

func devOf(t *testing.T, p string) uint64 {
	f := filepath.Join(p, ".dev")
	writeFile(t, f, "")
	defer os.Remove(f)
	id, _, _, err := fileid.Stat(f)
	if err != nil {
		t.Fatal(err)
	}
	return id.Dev
}

// TestFailedActionStays: a move that cannot be made (the destination's
// folder is a file) fails, says so with the path, and stays to be tried
// again; the file is left where it is.
func TestFailedActionStays(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/a.mov", "clip", queue.ActionMove)
	writeFile(t, filepath.Join(r.dir, "_graded"), "a file where the folder goes")
	r.pass(t, queue.ActionMove)
	res := r.result(t, "_graded/a.mov")
	if res.State != queue.ActFailed || !strings.Contains(res.Reason, filepath.Join(r.dir, "_graded")) {
		t.Errorf("result %+v", res)
	}
	if p, _ := r.recs.PendingActions(); len(p) != 1 || p[0].State != queue.ActFailed {
		t.Errorf("a failed action must stay to be tried again: %+v", p)
	}
	if !exists(filepath.Join(r.root, "_graded", "a.mov")) {
		t.Error("the file is gone")
	}
}

// TestHoldAndKick: Run carries out what is pending at start, then after
// each Kick; Hold is called before each action.
func TestHoldAndKick(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/a.mov", "a", queue.ActionDelete)
	held := make(chan struct{}, 4)
	r.recs.acted = make(chan string, 4)
	act := New(r.recs, Options{Root: r.root, Dir: r.dir, Action: queue.ActionDelete,
		Hold: func(context.Context) { held <- struct{}{} }})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- act.Run(ctx) }()
	<-held
	if got := <-r.recs.acted; got != "_graded/a.mov" {
		t.Fatalf("acted on %s first", got)
	}
	b := r.uploadedLocked(t, "_graded/b.mov")
	act.Kick()
	<-held
	if got := <-r.recs.acted; got != "_graded/b.mov" {
		t.Fatalf("acted on %s after the kick", got)
	}
	if exists(filepath.Join(r.root, b)) {
		t.Error("b.mov not deleted")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(r.root, "_graded", "a.mov")) {
		t.Error("a.mov not deleted")
	}
}

func (r *rig) uploadedLocked(t *testing.T, rel string) string {
	r.recs.mu.Lock()
	defer r.recs.mu.Unlock()
	r.uploaded(t, rel, "b", queue.ActionDelete)
	return filepath.FromSlash(rel)
}

// TestWithFixPermission: the wording of a permission error, whoever runs
// the test (root is never refused by chmod).
func TestWithFixPermission(t *testing.T) {
	err := &os.PathError{Op: "remove", Path: "/srv/show/_graded/a.mov", Err: os.ErrPermission}
	got := withFix(err)
	for _, want := range []string{"remove /srv/show/_graded/a.mov", "write access to /srv/show/_graded", "setfacl -m u:", "tried again"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}

// TestTryFailed: a failed action is not tried again on a Kick, but is on
// TryFailed, and Tried says when that try is over: false while it waits
// (held), true once it is recorded.
func TestTryFailed(t *testing.T) {
	r := newRig(t, "")
	r.uploaded(t, "_graded/a.mov", "clip", queue.ActionMove)
	blocker := filepath.Join(r.dir, "_graded")
	writeFile(t, blocker, "a file where the folder goes")
	hold := make(chan struct{})
	r.recs.acted = make(chan string, 4)
	act := New(r.recs, Options{Root: r.root, Dir: r.dir, Action: queue.ActionMove,
		Hold: func(ctx context.Context) {
			select {
			case <-hold:
			case <-ctx.Done():
			}
		}})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- act.Run(ctx) }()
	hold <- struct{}{}
	<-r.recs.acted // the first pass: failed
	if res := r.result(t, "_graded/a.mov"); res.State != queue.ActFailed {
		t.Fatalf("first try: %+v, want failed", res)
	}
	tk := act.TryFailed()
	if act.Tried(tk) {
		t.Fatal("Tried before the pass asked for began")
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	hold <- struct{}{} // the asked-for pass goes ahead: Hold is reached only for a pass with the failed action in it
	<-r.recs.acted
	tick := time.NewTicker(time.Millisecond) // Tried turns true as the pass returns, just after its last Acted
	defer tick.Stop()
	for deadline := time.Now().Add(10 * time.Second); !act.Tried(tk); <-tick.C {
		if time.Now().After(deadline) {
			t.Fatal("Tried stays false after the pass asked for")
		}
	}
	if res := r.result(t, "_graded/a.mov"); res.State != queue.ActDone {
		t.Errorf("tried once more: %+v, want done", res)
	}
	if !exists(filepath.Join(r.dir, "_graded", "a.mov")) {
		t.Error("not moved on the try asked for")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
