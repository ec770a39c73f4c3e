package daemon

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/watcher"
)

// enqueuer is the watcher's handler: settled files go into the queue, and
// each full scan prunes records of files that are gone.
type enqueuer struct {
	q   *queue.Queue
	log *slog.Logger
}

var _ watcher.Handler = (*enqueuer)(nil)

// Settled queues one call's files in one Enqueue (one transaction). The
// watcher hands them over at most 512 at a time (watcher.Handler), so a
// first scan of a whole tree is queued chunk by chunk, and uploads start
// after the first: one Enqueue of 20,000 files built every record, and
// bbolt every page, in one transaction (26 MB live at its peak). A failed
// call fails the tick: the watcher hands the files again, and an Enqueue
// of a version already queued changes nothing.
func (e *enqueuer) Settled(ctx context.Context, files []watcher.File) error {
	items := make([]queue.Item, 0, len(files))
	for _, f := range files {
		it := queue.Item{Path: f.Path, Size: f.Size, ModTime: f.ModTime}
		if f.Disk != f.Path {
			it.Disk = f.Disk // the name to open, where it is not the NFC one
		}
		items = append(items, it)
	}
	added, err := e.q.Enqueue(items)
	if err != nil {
		return fmt.Errorf("enqueue %d settled files: %w", len(files), err)
	}
	if added > 0 {
		e.log.Debug("queued settled files", "files", added)
	}
	return nil
}

func (e *enqueuer) Scanned(ctx context.Context, s watcher.Scan) error {
	under := make([]string, len(s.Dirs))
	for i, dir := range s.Dirs {
		under[i] = dir + "/"
	}
	removed, err := e.q.Prune(s.Present, under)
	if err != nil {
		return fmt.Errorf("forget files that are gone: %w", err)
	}
	if removed > 0 {
		e.log.Info("forgot files no longer on disk", "files", removed)
	}
	return nil
}
