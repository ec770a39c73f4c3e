package daemon

import (
	"context"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/status"
)

// A restarted daemon over a finished tree shows its finished scan in
// status.json at once, not at the next rewrite status.Interval later.
func TestStatusShowsTheFinishedScanBeforeTheNextInterval(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	w.file("_graded/a.mov", 100)
	d, cfg := w.open()
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatalf("Sync = %v\n%s", err, w.log)
	}
	d.Close()
	d, _ = w.open()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	started := time.Now()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var settled time.Duration
	for settled == 0 && time.Since(started) < status.Interval {
		doc, _, err := status.Read(status.Path(cfg.State.Dir))
		if err == nil && doc.Started.After(started.Add(-time.Second)) && !doc.Watcher.LastScan.IsZero() &&
			doc.State == status.Running && doc.Queued+doc.Active == 0 {
			settled = time.Since(started)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if settled == 0 || settled >= status.Interval-lookEvery {
		t.Fatalf("status.json showed the finished scan after %v, want well within %v\n%s", settled, status.Interval, w.log)
	}
}
