package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/queue"
)

// outcomeGap is how long an upload's outcome may wait to share a queue
// commit with others while more work is going (queue.Options.OutcomeGap):
// the uploader does not wait for it, and 25 ms bounds both what a crash
// sends again and the commits of a busy pool to 40 a second.
const outcomeGap = 25 * time.Millisecond

// openQueue opens a queue file; a locked one is a *config.Error.
func openQueue(p string, priority []string, log *slog.Logger) (*queue.Queue, error) {
	q, err := queue.Open(p, queue.Options{
		Priority:   priority,
		Logger:     log.With("component", "queue"),
		OutcomeGap: outcomeGap,
	})
	if errors.Is(err, queue.ErrLocked) {
		return nil, config.Wrap(err)
	}
	if err != nil {
		return nil, fmt.Errorf("open the queue in state.dir: %w", err)
	}
	return q, nil
}
