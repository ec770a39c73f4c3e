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

func (e *enqueuer) Settled(ctx context.Context, files []watcher.File) error {
	items := make([]queue.Item, len(files))
	for i, f := range files {
		items[i] = queue.Item{Path: f.Path, Size: f.Size, ModTime: f.ModTime}
		if f.Disk != f.Path {
			items[i].Disk = f.Disk // the name to open, where it is not the NFC one
		}
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
