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

// enqueueChunk is how many settled files go into the queue per Enqueue.
// A first scan hands over the whole tree at once; one Enqueue of 20,000
// files builds every record, and bbolt every page, in one transaction
// (26 MB live at its peak, a 45 MB heap), and no upload starts before it
// commits. In chunks the peak is a chunk's, and uploads start after the
// first. A failed chunk fails the call: the watcher hands the files again,
// and an Enqueue of a version already queued changes nothing.
const enqueueChunk = 512

func (e *enqueuer) Settled(ctx context.Context, files []watcher.File) error {
	added := 0
	for len(files) > 0 {
		n := min(len(files), enqueueChunk)
		items := make([]queue.Item, 0, n)
		for _, f := range files[:n] {
			it := queue.Item{Path: f.Path, Size: f.Size, ModTime: f.ModTime}
			if f.Disk != f.Path {
				it.Disk = f.Disk // the name to open, where it is not the NFC one
			}
			items = append(items, it)
		}
		k, err := e.q.Enqueue(items)
		added += k
		if err != nil {
			return fmt.Errorf("enqueue %d settled files: %w", len(files), err)
		}
		files = files[n:]
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
