package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/odailies/odailies-uploader/internal/buildinfo"
	"github.com/odailies/odailies-uploader/internal/control"
)

// RetryRequest asks for failed jobs to be put back in the queue.
type RetryRequest struct {
	Paths []string `json:"paths"` // relative to watch.root, slash-separated; empty: every failed job
	// Watch names the show (retry -watch); "": every show.
	Watch string `json:"watch,omitempty"`
}

// RetryAnswer says how many were.
type RetryAnswer struct {
	Requeued int `json:"requeued"`
}

// controlPath is the control socket of a state folder.
func controlPath(stateDir string) string { return filepath.Join(stateDir, ControlSocket) }

// newControl builds the control server and registers the daemon's
// operations on it.
func (d *Daemon) newControl() *control.Server {
	s := control.NewServer(controlPath(d.cfg.State.Dir), control.ServerOptions{
		Version: buildinfo.Version(),
		Logger:  d.log.With("component", "control"),
	})
	s.Handle("retry", d.answerRetry)
	s.Handle("report", d.answerReport)
	s.Handle("why", d.answerWhy)
	return s
}

// serveControl runs the control server. A control channel that cannot be
// opened is said once and does not stop the uploads: only admin commands
// lose their way to the daemon.
func (d *Daemon) serveControl(ctx context.Context) error {
	err := d.control.Run(ctx)
	if err != nil && ctx.Err() == nil {
		d.log.Warn("the control channel is closed; 'retry' and 'report' cannot reach the running daemon",
			"path", controlPath(d.cfg.State.Dir), "err", err)
	}
	return nil
}

func (d *Daemon) answerRetry(ctx context.Context, raw json.RawMessage) (any, error) {
	var req RetryRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("%w: retry: %v", control.ErrBadRequest, err)
	}
	parts := d.parts()
	if req.Watch != "" && d.shows != nil {
		c, err := d.show(req.Watch)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", control.ErrBadRequest, err)
		}
		parts = []*Daemon{c}
	}
	total := 0
	for _, p := range parts {
		n, err := p.queue.Requeue(req.Paths)
		if err != nil {
			return nil, fmt.Errorf("requeue: %w", err)
		}
		p.log.Info("failed uploads put back in the queue", "files", n)
		total += n
	}
	return RetryAnswer{Requeued: total}, nil
}
