package daemon

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/watcher"
)

// TestWhyStoppedThenRunning: after a sync, `why` with the daemon stopped
// reads the queue file (done, with its MD5 and how it was verified), the
// rules (a junk name) and the disk (a missing file, a folder's counts);
// with the daemon running the same questions go through the control
// channel and get the same answers, and Daemon.Explain (the dashboard's
// call) answers in-process.
func TestWhyStoppedThenRunning(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 300)
	w.file("_graded/.DS_Store", 10)
	d, cfg := w.open()
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	sum := md5.Sum([]byte(strings.Repeat("x", 300)))
	req := why.Request{Paths: []string{"_graded/a.mov", filepath.Join(w.root, "_graded", ".DS_Store"), "_graded/none.mov", "_graded"}}
	check := func(res why.Result, running bool) {
		t.Helper()
		if res.DaemonRunning != running || len(res.Answers) != 4 {
			t.Fatalf("running %v, %d answers: %+v", res.DaemonRunning, len(res.Answers), res)
		}
		a := res.Answers
		if a[0].State != why.Done || a[0].Delivery == nil || a[0].Delivery.MD5 != hex.EncodeToString(sum[:]) ||
			a[0].Delivery.Verified == "" || a[0].Delivery.Action != "keep" || a[0].Path != "_graded/a.mov" {
			t.Errorf("a.mov: %+v %+v", a[0], a[0].Delivery)
		}
		if a[1].State != why.Ignored || a[1].Rule == nil || a[1].Rule.Kind != why.RuleJunk || a[1].Rel != "_graded/.DS_Store" {
			t.Errorf(".DS_Store: %+v", a[1])
		}
		if a[2].State != why.Missing {
			t.Errorf("none.mov: %+v", a[2])
		}
		if a[3].State != why.Folder || a[3].Folder == nil || a[3].Folder.Counts[why.Done] != 1 || a[3].Folder.Counts[why.Ignored] != 1 ||
			len(a[3].Folder.Files) != 1 || a[3].Folder.Files[0].Rel != "_graded/.DS_Store" {
			t.Errorf("_graded: %+v %+v", a[3], a[3].Folder)
		}
	}
	res, err := Why(t.Context(), cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	check(res, false)

	d2, _ := w.open()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d2.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitFor(t, "the control channel", func() bool {
		res, err := Why(t.Context(), cfg, req)
		return err == nil && res.DaemonRunning
	})
	if res, err = Why(t.Context(), cfg, req); err != nil {
		t.Fatal(err)
	}
	check(res, true)
	answers, err := d2.Explain(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	check(why.Result{DaemonRunning: true, Answers: answers}, true)
	if _, err := d2.Explain(t.Context(), why.Request{Paths: req.Paths, Watch: "nope"}); err == nil {
		t.Error("Explain with an unknown show: no error")
	}
}

// TestWhyNeverRun: with no queue file, why says the daemon never ran and
// creates nothing in state.dir.
func TestWhyNeverRun(t *testing.T) {
	w := newWorld(t, 0, "_graded")
	w.file("_graded/a.mov", 10)
	cfg := w.config()
	res, err := Why(t.Context(), cfg, why.Request{Paths: []string{"_graded/a.mov"}})
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Answers[0]; a.State != why.NotSeen || !strings.Contains(a.Reason, "never run") {
		t.Errorf("%+v", a)
	}
	entries, err := os.ReadDir(w.state)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("why created %d entries in state.dir: %v", len(entries), entries)
	}
}

// TestWhyResolve: with two shows, an absolute path goes to the show whose
// root holds it (also through a link to the root), a relative one to the
// show whose root holds it or, from the asker's directory, to where it
// is; -watch picks a show; a path under no root is said to be outside.
func TestWhyResolve(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	wa.file("_graded/a.mov", 10)
	wb.file("_graded/b.xml", 10)
	wb.file("_graded/sub/c.mov", 10)
	moved := t.TempDir()
	cfg := showsConfig(t, wa, wb, worldToken, "exclude = [\"*.xml\"]\nafter_upload = \"move\"\nafter_upload_dir = "+configtest.Quote(moved)+"\n")
	link := filepath.Join(t.TempDir(), "b-link")
	if err := os.Symlink(wb.root, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, path, watch string
		state                  why.State
		show                   string
	}{
		{"absolute, A", "", filepath.Join(wa.root, "_graded/a.mov"), "", why.NotSeen, "Show A"},
		{"absolute, B's exclude", "", filepath.Join(wb.root, "_graded/b.xml"), "", why.Ignored, "Show B"},
		{"through a link to B's root", "", filepath.Join(link, "_graded/b.xml"), "", why.Ignored, "Show B"},
		{"relative to a root", "", "_graded/b.xml", "", why.Ignored, "Show B"},
		{"relative to the asker's folder", filepath.Join(wb.root, "_graded"), "sub/c.mov", "", why.NotSeen, "Show B"},
		{"asker's folder outside the roots", t.TempDir(), "_graded/a.mov", "", why.NotSeen, "Show A"},
		{"-watch", "", "_graded/b.xml", "Show A", why.Missing, "Show A"},
		{"under no root", "", "/etc/hostname", "", why.Outside, ""},
		{"B's after-upload folder", "", filepath.Join(moved, "_graded/x.mov"), "", why.Ignored, "Show B"},
		{"relative, in no root", "", "_graded/none.mov", "", why.Missing, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Why(t.Context(), cfg, why.Request{Paths: []string{c.path}, Watch: c.watch, Dir: c.dir})
			if err != nil {
				t.Fatal(err)
			}
			a := res.Answers[0]
			if a.State != c.state || a.Watch != c.show || a.Path != c.path {
				t.Errorf("state %s show %q path %q, want %s %q %q: %+v", a.State, a.Watch, a.Path, c.state, c.show, c.path, a)
			}
		})
	}
	_, err := Why(t.Context(), cfg, why.Request{Paths: []string{"x"}, Watch: "nope"})
	var ce interface{ Error() string }
	if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), `"Show A"`) {
		t.Errorf("unknown -watch: %v", err)
	}
}

// blocked is a watcher handler whose Settled blocks until release is
// closed: the watcher's loop is held, as a long scan holds it.
type blocked struct{ in, release chan struct{} }

func (b *blocked) Settled(ctx context.Context, _ []watcher.File) error {
	select {
	case b.in <- struct{}{}:
	default:
	}
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func (b *blocked) Scanned(context.Context, watcher.Scan) error { return nil }

// TestWhyWatcherBusy: a folder of files the queue does not know, while
// the watcher's loop is held: the first file waits for it, says what is
// not known, and the others do not wait again.
func TestWhyWatcherBusy(t *testing.T) {
	w := newWorld(t, 0, "_graded")
	for _, n := range []string{"a", "b", "c", "d"} {
		w.file("_graded/"+n+".mov", 10)
	}
	cfg := w.config()
	wt, err := watcher.New(w.root, watcher.Options{Dirs: []string{"_graded"}})
	if err != nil {
		t.Fatal(err)
	}
	b := &blocked{in: make(chan struct{}, 1), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- wt.Run(ctx, b) }()
	defer func() { close(b.release); cancel(); <-done }()
	<-b.in // the loop is held in Settled
	s := &whySource{cfg: cfg, show: cfg.Shows[0], w: wt, running: true, now: time.Now, user: "me", wait: 500 * time.Millisecond}
	start := time.Now()
	a := s.explain(t.Context(), "_graded", filepath.Join(w.root, "_graded"))
	if took := time.Since(start); took > 1500*time.Millisecond { // 4 waits would be 2s
		t.Errorf("took %s: every file waited for the held loop", took)
	}
	if a.State != why.Folder || a.Folder.Counts[why.NotSeen] != 4 {
		t.Fatalf("%+v %+v", a, a.Folder)
	}
	for _, f := range a.Folder.Files {
		if len(f.Unknown) == 0 || !strings.Contains(f.Reason, "did not answer in time") {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
}

// TestFolderListOrder: a folder's listing puts what needs a person first
// (a failure before sixty junk files), lists at most why.MaxFolderFiles
// and counts the rest; done files are counted, not listed.
func TestFolderListOrder(t *testing.T) {
	c := &why.Contents{Counts: map[why.State]int{}}
	byState := map[why.State][]why.Answer{}
	for range 60 {
		count(c, byState, why.Answer{State: why.Ignored})
	}
	count(c, byState, why.Answer{State: why.Done})
	count(c, byState, why.Answer{Path: "f", State: why.Failed})
	pick(c, byState)
	if len(c.Files) != why.MaxFolderFiles || c.Files[0].Path != "f" || c.More != 61-why.MaxFolderFiles {
		t.Errorf("%d listed, first %+v, %d more", len(c.Files), c.Files[0], c.More)
	}
	if c.Counts[why.Ignored] != 60 || c.Counts[why.Done] != 1 || c.Counts[why.Failed] != 1 {
		t.Errorf("counts %v", c.Counts)
	}
}
