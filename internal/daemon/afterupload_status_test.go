package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/report"
	"github.com/odailies/odailies-uploader/internal/status"
)

// TestActionFailureInStatusAndReport: a move that fails (after_upload_dir
// is taken by a plain file) is in status.json's recent_failures with the
// path, the error and its fix, and when, apart from upload failures
// (action "move"), and the report says "move failed"; once the cause is
// gone the next start carries the move out, the failure leaves
// recent_failures, and the report says where the file went.
func TestActionFailureInStatusAndReport(t *testing.T) {
	w := newWorld(t, 0, "_graded")
	w.file("_graded/a.mov", 100)
	blocked := filepath.Join(w.root, "_uploaded")
	if err := os.WriteFile(blocked, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("[api]\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n"+
		"[watch]\nroot = %s\nsettle = \"100ms\"\nafter_upload = \"move\"\n[upload]\nretry_min = \"50ms\"\nretry_max = \"200ms\"\n"+
		"[state]\ndir = %s\n[log]\nfile = \"-\"\n",
		w.api.URL(), worldToken, configtest.Quote(w.root), configtest.Quote(w.state))
	cfg, _, err := config.Load(configtest.Write(t, t.TempDir(), body), nil)
	if err != nil {
		t.Fatal(err)
	}
	statusPath := status.Path(cfg.State.Dir)
	actionFailure := func() (status.RecentFailure, bool) {
		doc, _, err := status.Read(statusPath)
		if err != nil {
			return status.RecentFailure{}, false
		}
		for _, f := range doc.RecentFailures {
			if f.Action != "" {
				return f, true
			}
		}
		return status.RecentFailure{}, false
	}
	run := func(until func() bool, what string) {
		t.Helper()
		d, err := Open(cfg, slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		ok := waitFor(t, what, until)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if !ok {
			t.Fatalf("log:\n%s", w.log)
		}
	}

	before := time.Now().UTC().Add(-time.Second)
	run(func() bool { _, ok := actionFailure(); return ok }, "the failed move in status.json")
	f, _ := actionFailure()
	if f.Path != "_graded/a.mov" || f.Action != "move" || f.At.Before(before) || f.At.After(time.Now()) {
		t.Errorf("recent failure %+v", f)
	}
	for _, want := range []string{`uploaded, but could not move it (watch.after_upload = "move")`, blocked, "tried again by itself"} {
		if !strings.Contains(f.Error, want) {
			t.Errorf("error %q lacks %q", f.Error, want)
		}
	}
	if doc, _, _ := status.Read(statusPath); doc.ActionsFailed != 1 || doc.Failed != 0 {
		t.Errorf("actions_failed %d, failed %d; want 1, 0 (the upload itself succeeded)", doc.ActionsFailed, doc.Failed)
	}
	rep, err := Report(t.Context(), cfg, ReportRequest{})
	if err != nil || len(rep.Files) != 1 {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	if a := rep.Files[0].AfterUpload; a.Action != report.ActionMove || a.State != report.ActFailed || !strings.Contains(a.Reason, blocked) {
		t.Errorf("report's after_upload %+v, want move failed naming %s", a, blocked)
	}

	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(blocked, "_graded", "a.mov")
	run(func() bool {
		_, err := os.Stat(moved)
		_, failing := actionFailure()
		doc, _, _ := status.Read(statusPath)
		return err == nil && !failing && doc != nil && doc.ActionsDone == 1
	}, "the move done at the next start, and gone from recent_failures")
	if doc, _, _ := status.Read(statusPath); len(doc.RecentFailures) != 0 || doc.ActionsFailed != 0 {
		t.Errorf("after the move: recent_failures %+v, actions_failed %d", doc.RecentFailures, doc.ActionsFailed)
	}
	rep, err = Report(t.Context(), cfg, ReportRequest{})
	if err != nil || len(rep.Files) != 1 {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	if a := rep.Files[0].AfterUpload; a.State != report.ActDone || a.Dest != "_uploaded/_graded/a.mov" || a.At.IsZero() || a.Reason != "" {
		t.Errorf("report's after_upload after the move: %+v", a)
	}
	if got := rep.Files[0].AfterUpload.Text(); got != "moved to _uploaded/_graded/a.mov" {
		t.Errorf("csv after_upload %q", got)
	}
}
