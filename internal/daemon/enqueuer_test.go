package daemon

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/watcher"
)

// A batch larger than the watcher's chunk (a caller that does not chunk)
// still goes in whole: every file is queued once, and handing the same
// batch again adds nothing.
func TestEnqueuerQueuesABatchLargerThanAChunk(t *testing.T) {
	q, err := queue.Open(filepath.Join(t.TempDir(), "queue.db"), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	e := &enqueuer{q: q, log: slog.New(slog.DiscardHandler)}
	n := 2*512 + 7 // the watcher's chunk is 512
	files := make([]watcher.File, n)
	mtime := time.Now().Add(-time.Hour)
	for i := range files {
		p := fmt.Sprintf("_thumbnails/f%05d.jpg", i)
		files[i] = watcher.File{Path: p, Disk: p, Size: int64(i + 1), ModTime: mtime}
	}
	for round := range 2 {
		if err := e.Settled(t.Context(), files); err != nil {
			t.Fatalf("round %d: Settled = %v", round, err)
		}
		if c := q.Counts(); c.Queued != n {
			t.Fatalf("round %d: %d queued, want %d", round, c.Queued, n)
		}
	}
}
