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
)

// actionConfig is the world's config with watch.after_upload = action.
func (w *world) actionConfig(action string) *config.Config {
	w.t.Helper()
	body := fmt.Sprintf("[api]\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n"+
		"[watch]\nroot = %s\nsettle = \"100ms\"\nafter_upload = %q\n[upload]\nretry_min = \"50ms\"\nretry_max = \"200ms\"\n"+
		"[state]\ndir = %s\n[log]\nfile = \"-\"\n",
		w.api.URL(), worldToken, configtest.Quote(w.root), action, configtest.Quote(w.state))
	cfg, _, err := config.Load(configtest.Write(w.t, w.t.TempDir(), body), nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return cfg
}

// openAction opens the daemon on cfg, closed at the test's end.
func (w *world) openAction(cfg *config.Config) *Daemon {
	w.t.Helper()
	d, err := Open(cfg, slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { d.Close() })
	return d
}

// TestSyncWaitsForAfterUploadActions: when sync returns nil, every file is
// uploaded and already moved (or deleted): a script may eject the card
// the moment sync exits 0.
func TestSyncWaitsForAfterUploadActions(t *testing.T) {
	for _, action := range []string{"move", "delete"} {
		t.Run(action, func(t *testing.T) {
			w := newWorld(t, 0, "_graded", "_thumbnails")
			var rels []string
			for i := range 12 {
				rel := fmt.Sprintf("_graded/Day01/A%03d.mov", i)
				if i%3 == 0 {
					rel = fmt.Sprintf("_thumbnails/A%03d.jpg", i)
				}
				w.file(rel, 100+i)
				rels = append(rels, rel)
			}
			d := w.openAction(w.actionConfig(action))
			if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
				t.Fatalf("Sync = %v\n%s", err, w.log)
			}
			if a := d.queue.ActionCounts(); a.Done != len(rels) || a.Pending+a.Failed+a.Skipped != 0 {
				t.Errorf("actions when sync returned: %+v, want %d done", a, len(rels))
			}
			for i, rel := range rels {
				w.received(rel, 100+i)
				if _, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel))); !os.IsNotExist(err) {
					t.Errorf("%s still in place when sync returned (%v)", rel, err)
				}
				_, err := os.Stat(filepath.Join(w.root, "_uploaded", filepath.FromSlash(rel)))
				if action == "move" && err != nil {
					t.Errorf("%s not moved when sync returned: %v", rel, err)
				}
				if action == "delete" && !os.IsNotExist(err) {
					t.Errorf("%s deleted, yet in _uploaded (%v)", rel, err)
				}
			}
		})
	}
}

// TestSyncEndsOnAFailedAfterUploadAction: a move that cannot be made
// (after_upload_dir is taken by a plain file) holds sync neither forever
// nor until -give-up: it is tried once more, then sync ends with
// ErrActionsFailed naming the file, the cause and when it is tried again,
// not as a failed upload, the file where it was. Once the cause is gone,
// the next sync carries the move out without sending the file again.
func TestSyncEndsOnAFailedAfterUploadAction(t *testing.T) {
	w := newWorld(t, 0, "_graded")
	w.file("_graded/a.mov", 100)
	blocked := filepath.Join(w.root, "_uploaded")
	if err := os.WriteFile(blocked, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := w.actionConfig("move")
	d := w.openAction(cfg)
	err := w.sync(t.Context(), d, SyncOptions{GiveUp: 10 * DefaultGiveUp})
	if !errors.Is(err, ErrActionsFailed) || errors.Is(err, ErrJobsFailed) || errors.Is(err, ErrGaveUp) || errors.Is(err, ErrInterrupted) {
		t.Fatalf("Sync = %v, want ErrActionsFailed alone\n%s", err, w.log)
	}
	for _, want := range []string{"1 file(s) uploaded but not moved or deleted", "_graded/a.mov (move)", blocked, "next sync"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Sync's error %q lacks %q", err, want)
		}
	}
	w.received("_graded/a.mov", 100)
	if c := d.Counts(); c.Done != 1 || c.Failed != 0 {
		t.Errorf("counts %+v: the upload itself succeeded", c)
	}
	if _, err := os.Stat(filepath.Join(w.root, "_graded", "a.mov")); err != nil {
		t.Errorf("the file whose move failed is gone: %v", err)
	}
	if !w.log.has("some uploaded files were not moved or deleted") {
		t.Errorf("no end line in the log:\n%s", w.log)
	}
	d.Close()

	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	puts := w.api.Requests("put")
	d = w.openAction(cfg)
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatalf("second Sync = %v, want the failed move done\n%s", err, w.log)
	}
	if _, err := os.Stat(filepath.Join(blocked, "_graded", "a.mov")); err != nil {
		t.Errorf("the move failed before was not carried out by the next sync: %v", err)
	}
	if n := w.api.Requests("put") - puts; n != 0 {
		t.Errorf("the second sync sent %d PUTs, want 0", n)
	}
}

// TestSyncInterruptedWithActionsPending: interrupted once every file is
// uploaded but before its action is carried out (held by the test hook),
// sync says so: ErrInterrupted, the count of actions left and how to get
// them done, and the files where they were.
func TestSyncInterruptedWithActionsPending(t *testing.T) {
	t.Setenv(HoldActionsEnv, "1")
	w := newWorld(t, 0, "_graded")
	w.file("_graded/a.mov", 100)
	w.file("_graded/b.mov", 200)
	d := w.openAction(w.actionConfig("move"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- w.sync(ctx, d, SyncOptions{}) }()
	if !waitFor(t, "both uploads done with their moves pending", func() bool {
		return d.Counts().Done == 2 && d.queue.ActionCounts().Pending == 2
	}) {
		t.Fatalf("log:\n%s", w.log)
	}
	select {
	case err := <-errc:
		t.Fatalf("Sync returned with two moves pending: %v", err)
	default:
	}
	cancel()
	err := <-errc
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "2 after-upload action(s)") || !strings.Contains(err.Error(), "run sync again") {
		t.Fatalf("Sync = %v, want interrupted with 2 actions left", err)
	}
	for _, rel := range []string{"a.mov", "b.mov"} {
		if _, err := os.Stat(filepath.Join(w.root, "_graded", rel)); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
	}
}
