package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

func TestSyncUploadsEverything(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 3000)
	w.file("_graded/day 2/b.mov", 10)
	w.file("_thumbnails/a.jpg", 500)
	d, _ := w.open()
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatalf("Sync = %v\n%s", err, w.log)
	}
	w.received("_graded/a.mov", 3000)
	w.received("_graded/day 2/b.mov", 10)
	w.received("_thumbnails/a.jpg", 500)
	if c := d.Counts(); c.Done != 3 || c.Queued+c.Active+c.Failed != 0 {
		t.Errorf("counts %+v, want 3 done", c)
	}
}

func TestSyncWithAMissingFolderUploadsWhatExists(t *testing.T) {
	w := newWorld(t, 0, "_graded") // no _thumbnails
	w.file("_graded/a.mov", 100)
	d, _ := w.open()
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatalf("Sync = %v, want nil: a missing folder is a warning\n%s", err, w.log)
	}
	w.received("_graded/a.mov", 100)
	if !w.log.has("_thumbnails") {
		t.Errorf("the log does not name the missing folder:\n%s", w.log)
	}
}

func TestSyncWithNoFolderAtAllFails(t *testing.T) {
	w := newWorld(t, 0)
	w.root = filepath.Join(w.root, "unplugged")
	d, _ := w.open()
	err := w.sync(t.Context(), d, SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "none of the watched folders exists") || !strings.Contains(err.Error(), "unplugged") {
		t.Fatalf("Sync = %v, want an error naming the missing root", err)
	}
}

func TestSyncReportsFailedUploads(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	w.file("_thumbnails/a.jpg", 100)
	w.api.FailPut(1, 400) // permanent for the first file sent
	d, _ := w.open()
	err := w.sync(t.Context(), d, SyncOptions{})
	if !errors.Is(err, ErrJobsFailed) || !strings.Contains(err.Error(), "1 upload(s) failed") {
		t.Fatalf("Sync = %v, want 1 failed upload", err)
	}
}

func TestSyncStopsAtOnceWhenTheTokenIsRefused(t *testing.T) {
	w := newWorld(t, odailiestest.Read, "_graded", "_thumbnails") // no Upload flag
	w.file("_graded/a.mov", 100)
	d, _ := w.open()
	start := time.Now()
	err := w.sync(t.Context(), d, SyncOptions{GiveUp: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "blocked") {
		t.Fatalf("Sync = %v, want uploads blocked", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Sync took %s to see a refused token", took)
	}
}

func TestSyncGivesUpWhenTheAPIIsUnreachable(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	w.base = "http://127.0.0.1:1/api/v1" // nothing listens there
	d, _ := w.open()
	const giveUp = 1500 * time.Millisecond
	start := time.Now()
	err := w.sync(t.Context(), d, SyncOptions{GiveUp: giveUp})
	took := time.Since(start)
	if !errors.Is(err, ErrGaveUp) {
		t.Fatalf("Sync = %v, want it to give up\n%s", err, w.log)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("the error does not name the API: %v", err)
	}
	if took < giveUp || took > giveUp+5*time.Second {
		t.Errorf("Sync gave up after %s, want about %s", took, giveUp)
	}
}

func TestSyncInterruptedWithWorkLeftSaysHowMuch(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	for _, n := range []string{"a", "b", "c"} {
		w.file("_graded/"+n+".mov", 100)
	}
	w.api.SetLatency(time.Hour) // every sign request hangs
	d, _ := w.open()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		waitFor(t, "3 files queued", func() bool { return d.Counts().Queued+d.Counts().Active == 3 })
		cancel()
	}()
	start := time.Now()
	err := w.sync(ctx, d, SyncOptions{GiveUp: time.Hour})
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "3 file(s) left") {
		t.Fatalf("Sync = %v, want interrupted with 3 files left", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Sync took %s to stop", took)
	}
}

func TestRunStopsPromptlyWhileTheAPIHangs(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	w.api.SetLatency(time.Hour)
	d, _ := w.open()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	waitFor(t, "a sign request", func() bool { return w.api.Requests("sign") > 0 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil on a stop", err)
		}
	case <-time.After(4 * time.Second): // service.StopTimeout
		t.Fatal("Run did not return within the stop timeout while the API hung")
	}
}

func TestRetryReachesTheRunningDaemon(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	w.api.FailPut(1, 400)
	d, cfg := w.open()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	waitFor(t, "a failed upload", func() bool { return d.Counts().Failed == 1 })
	n, how, err := Retry(t.Context(), cfg, "", nil)
	if err != nil || n != 1 || how != ByDaemon {
		t.Fatalf("Retry = %d, %q, %v; want 1 by the daemon", n, how, err)
	}
	waitFor(t, "the retried upload", func() bool { return d.Counts().Done == 1 })
	w.received("_graded/a.mov", 100)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRetryWithoutADaemonCreatesNothing(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	cfg := w.config()
	n, how, err := Retry(t.Context(), cfg, "", nil)
	if err != nil || n != 0 || how != Directly {
		t.Fatalf("Retry = %d, %q, %v; want 0, directly", n, how, err)
	}
	entries, err := os.ReadDir(w.state)
	if err != nil || len(entries) != 0 {
		t.Errorf("state.dir holds %v (%v) after retry; want nothing", entries, err)
	}
}

func TestRetryPathsAreRelativeNFC(t *testing.T) {
	root := t.TempDir()
	got, err := RetryPaths(root, []string{"_graded/cafe\u0301.mov", filepath.Join(root, "_thumbnails", "a.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "_graded/caf\u00e9.mov" || got[1] != "_thumbnails/a.jpg" {
		t.Errorf("RetryPaths = %q", got)
	}
	for _, bad := range []string{"../x", filepath.Dir(root), "."} {
		if _, err := RetryPaths(root, []string{bad}); err == nil {
			t.Errorf("RetryPaths(%q) accepted", bad)
		}
	}
}

func TestSyncFailsOnFilesHeldBack(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file: the end to end tests cover this as the service user")
	}
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	w.file("_graded/secret.mov", 100)
	if err := os.Chmod(filepath.Join(w.root, "_graded", "secret.mov"), 0); err != nil {
		t.Fatal(err)
	}
	d, _ := w.open()
	err := w.sync(t.Context(), d, SyncOptions{})
	if !errors.Is(err, ErrHeldBack) || !strings.Contains(err.Error(), "_graded/secret.mov") {
		t.Fatalf("Sync = %v, want the unreadable file named", err)
	}
	w.received("_graded/a.mov", 100)
}
