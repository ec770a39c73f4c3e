package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// showsConfig is a config of two shows: A on wa's fake API and token, B
// on wb's API with tokenB.
func showsConfig(t *testing.T, wa, wb *world, tokenB string, extraB ...string) *config.Config {
	t.Helper()
	body := fmt.Sprintf("[upload]\nretry_min = \"50ms\"\nretry_max = \"200ms\"\n"+
		"[state]\ndir = %s\n[log]\nfile = \"-\"\n"+
		"[[watch]]\nname = \"Show A\"\nroot = %s\nsettle = \"100ms\"\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n"+
		"[[watch]]\nname = \"Show B\"\nroot = %s\nsettle = \"100ms\"\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n",
		configtest.Quote(wa.state), configtest.Quote(wa.root), wa.api.URL(), worldToken,
		configtest.Quote(wb.root), wb.api.URL(), tokenB)
	body += strings.Join(extraB, "")
	cfg, _, err := config.Load(configtest.Write(t, t.TempDir(), body), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSyncTwoShowsOneRefused: show B's token is refused; show A's files
// are all uploaded to A's project; sync's error names show B; the status
// has both shows, B blocked, and the totals.
func TestSyncTwoShowsOneRefused(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded", "_thumbnails"), newWorld(t, 0, "_graded", "_thumbnails")
	for i := range 5 {
		wa.file(fmt.Sprintf("_graded/a%d.mov", i), 1000+i)
		wb.file(fmt.Sprintf("_graded/b%d.mov", i), 2000+i)
	}
	cfg := showsConfig(t, wa, wb, "revoked-token-0123456789")
	d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = wa.sync(t.Context(), d, SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), `show "Show B"`) || strings.Contains(err.Error(), `show "Show A"`) {
		t.Fatalf("sync: %v; want an error naming show B only\nlog:\n%s", err, wa.log)
	}
	for i := range 5 {
		wa.received(fmt.Sprintf("_graded/a%d.mov", i), 1000+i)
		if _, ok := wb.api.Received(fmt.Sprintf("_graded/b%d.mov", i)); ok {
			t.Errorf("show B's b%d.mov was stored with a refused token", i)
		}
		if _, ok := wb.api.Received(fmt.Sprintf("_graded/a%d.mov", i)); ok {
			t.Errorf("show A's a%d.mov went to show B's API", i)
		}
	}
	if !wa.log.has(`watch="Show B"`) {
		t.Errorf("no log line names show B:\n%s", wa.log)
	}
	doc, _, err := status.Read(status.Path(cfg.State.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Watches) != 2 || doc.Watches[0].Name != "Show A" || doc.Watches[0].Done != 5 || doc.Watches[1].Done != 0 || doc.Done != 5 {
		t.Errorf("status watches %+v, done %d: want A with 5 done, B with none, 5 in total", doc.Watches, doc.Done)
	}
	wantDirs := []string{filepath.Join(wa.root, "_graded"), filepath.Join(wa.root, "_thumbnails"),
		filepath.Join(wb.root, "_graded"), filepath.Join(wb.root, "_thumbnails")}
	if strings.Join(doc.Watcher.Dirs, "|") != strings.Join(wantDirs, "|") {
		t.Errorf("watcher dirs %q, want both shows' folders %q", doc.Watcher.Dirs, wantDirs)
	}
}

// TestShowKeepsItsQueue: a single-form config converted into one
// [[watch]] table, then given a second show and renamed, keeps using the
// queue that knows its files: nothing is signed again.
func TestShowKeepsItsQueue(t *testing.T) {
	wa := newWorld(t, 0, "_graded", "_thumbnails")
	wa.file("_graded/a.mov", 100)
	d, _ := wa.open()
	if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	signed := wa.api.Requests("sign")
	if signed != 1 {
		t.Fatalf("%d sign requests for one file", signed)
	}
	wb := newWorld(t, 0, "_graded", "_thumbnails")
	wb.file("_graded/b.mov", 200)
	for _, rename := range []string{"Show A", "Show A renamed"} {
		cfg := showsConfig(t, wa, wb, worldToken)
		cfg.Shows[0].Name = rename
		d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
			t.Fatalf("sync as %q: %v\nlog:\n%s", rename, err, wa.log)
		}
		d.Close()
		if n := wa.api.Requests("sign"); n != signed {
			t.Fatalf("as %q: show A signed %d times more: its queue was not kept", rename, n-signed)
		}
	}
	wb.received("_graded/b.mov", 200)
	if _, err := os.Stat(filepath.Join(wa.state, QueueFile)); err != nil {
		t.Errorf("the single-show queue.db is gone: %v", err)
	}
}

// TestUnrecordedQueueRefusedWithSeveral: a queue.db without queue.json
// (an earlier version's) and a config of two shows: Open refuses, saying
// what to do, rather than guess whose it is.
func TestUnrecordedQueueRefusedWithSeveral(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	d, _ := wa.open()
	d.Close()
	if err := os.Remove(filepath.Join(wa.state, ownerFile)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(showsConfig(t, wa, wb, worldToken), slog.New(slog.NewTextHandler(wa.log, nil)))
	var ce *config.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "Run once with only that show") {
		t.Fatalf("Open: %v; want a config error saying to run once with that show alone", err)
	}
}

var _ = odailiestest.Upload

// TestReportAndRetryByShow: report and retry take -watch; with several
// shows, report needs one, and an unknown name lists the shows.
func TestReportAndRetryByShow(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	wa.file("_graded/a.mov", 100)
	wb.file("_graded/b1.mov", 200)
	wb.file("_graded/b2.mov", 300)
	cfg := showsConfig(t, wa, wb, worldToken)
	d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, _, err := (ReportFlags{}).RequestFor(cfg, nil); err == nil || !strings.Contains(err.Error(), "-watch NAME") {
		t.Errorf("report without -watch over two shows: %v, want a request for -watch", err)
	}
	req, _, err := ReportFlags{Watch: "Show B"}.RequestFor(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Report(t.Context(), cfg, req)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range rep.Files {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, ",") != "_graded/b1.mov,_graded/b2.mov" {
		t.Errorf("show B's report lists %q", paths)
	}
	_, _, err = Retry(t.Context(), cfg, "Show C", nil)
	if err == nil || !strings.Contains(err.Error(), `"Show A", "Show B"`) {
		t.Errorf("retry -watch of an unknown show: %v, want the shows named", err)
	}
	if _, err := RetryPathsIn(cfg, "", []string{"_graded/a.mov"}); err == nil {
		t.Error("retry of named files over two shows without -watch was taken")
	}
	if n, how, err := Retry(t.Context(), cfg, "Show A", nil); err != nil || n != 0 || how != Directly {
		t.Errorf("retry -watch \"Show A\": %d, %q, %v", n, how, err)
	}
}

// TestMovedRootKeepsItsQueue: a show whose root moves (the tree copied to
// another disk, mtimes kept) keeps its queue, in the single-show form and
// among several shows: nothing is signed again.
func TestMovedRootKeepsItsQueue(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	wa.file("_graded/a.mov", 100)
	wb.file("_graded/b.mov", 200)
	d, _ := wa.open()
	if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	signed := wa.api.Requests("sign")
	moveRoot := func() {
		t.Helper()
		moved := t.TempDir()
		if err := os.CopyFS(moved, os.DirFS(wa.root)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(wa.root, "_graded/a.mov"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(moved, "_graded/a.mov"), fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		wa.root = moved
	}
	moveRoot()
	d, _ = wa.open() // the single-show form, root moved
	if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if n := wa.api.Requests("sign"); n != signed {
		t.Fatalf("single show, root moved: %d more signs", n-signed)
	}
	if !wa.log.has("the show's root moved; its queue is kept") {
		t.Errorf("the moved root is not logged:\n%s", wa.log)
	}
	for range 2 { // two shows; then A's root moves again
		cfg := showsConfig(t, wa, wb, worldToken)
		d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if n := wa.api.Requests("sign"); n != signed {
			t.Fatalf("two shows: show A signed %d more times", n-signed)
		}
		moveRoot()
	}
	wb.received("_graded/b.mov", 200)
}

// TestShowsActAfterUpload: each show's after-upload action runs for its
// own files only: show B moves its uploads into _uploaded, show A keeps;
// and sync returns only once the move is done (nothing waited for after).
func TestShowsActAfterUpload(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	wa.file("_graded/a.mov", 100)
	wb.file("_graded/b.mov", 200)
	cfg := showsConfig(t, wa, wb, worldToken, "after_upload = \"move\"\n")
	d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := wa.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	wb.received("_graded/b.mov", 200)
	moved := filepath.Join(wb.root, "_uploaded", "_graded", "b.mov")
	if _, err := os.Stat(moved); err != nil {
		t.Fatalf("sync returned before show B's b.mov was moved to %s: %v\nlog:\n%s", moved, err, wa.log)
	}
	if _, err := os.Lstat(filepath.Join(wb.root, "_graded", "b.mov")); !os.IsNotExist(err) {
		t.Errorf("show B's b.mov is still in _graded (%v)", err)
	}
	if a := d.shows[1].queue.ActionCounts(); a.Done != 1 || a.Pending+a.Failed != 0 {
		t.Errorf("show B's actions at sync's end: %+v, want 1 done", a)
	}
	if _, err := os.Stat(filepath.Join(wa.root, "_graded", "a.mov")); err != nil {
		t.Errorf("show A (keep) lost its file: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(wa.root, "_uploaded")); !os.IsNotExist(err) {
		t.Errorf("show A (keep) has an _uploaded folder (%v)", err)
	}
}

// TestRetryAndReportByShowOnTheRunningDaemon: with the daemon running,
// retry -watch requeues only that show's failures, and report -watch
// answers that show's files, through the control channel.
func TestRetryAndReportByShowOnTheRunningDaemon(t *testing.T) {
	wa, wb := newWorld(t, 0, "_graded"), newWorld(t, 0, "_graded")
	wa.file("_graded/a.mov", 100)
	wb.file("_graded/b.mov", 200)
	wa.api.FailPut(1, 400) // a permanent refusal: a.mov fails
	wb.api.FailPut(1, 400) // and b.mov
	cfg := showsConfig(t, wa, wb, worldToken)
	d, err := Open(cfg, slog.New(slog.NewTextHandler(wa.log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	waitFor(t, "both uploads failed", func() bool { return d.Counts().Failed == 2 })
	n, how, err := Retry(t.Context(), cfg, "Show B", nil)
	if err != nil || n != 1 || how != ByDaemon {
		t.Fatalf("Retry -watch B = %d, %q, %v; want 1 by the daemon", n, how, err)
	}
	waitFor(t, "show B's retried upload", func() bool { return d.shows[1].queue.Counts().Done == 1 })
	if c := d.shows[0].queue.Counts(); c.Failed != 1 || c.Done != 0 {
		t.Errorf("show A after retry -watch B: %+v, want its failure kept", c)
	}
	rep, err := Report(t.Context(), cfg, ReportRequest{Watch: "Show B"})
	if err != nil || len(rep.Files) != 1 || rep.Files[0].Path != "_graded/b.mov" {
		t.Errorf("report -watch B from the daemon: %+v, %v", rep, err)
	}
	if _, err := Report(t.Context(), cfg, ReportRequest{Watch: "Show C"}); err == nil {
		t.Error("report of an unknown show was answered")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
