package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// statusInterval is how often status.json is rewritten.
const statusInterval = 2 * time.Second

// daemon is the wired program: the watcher feeds the queue, the uploader
// drains it, and the statusReporter turns their state into the status file and
// the status log.
type daemon struct {
	cfg     *Config
	log     *slog.Logger
	queue   *queue.Queue
	watcher *watcher.Watcher
	up      *uploader.Uploader
	report  *statusReporter
}

// openDaemon opens the queue and builds every part from the config. The
// caller must Close the daemon.
func openDaemon(cfg *Config, log *slog.Logger) (*daemon, error) {
	if err := os.MkdirAll(cfg.State.Dir, 0o700); err != nil {
		return nil, &configError{fmt.Errorf("create state.dir: %w", err)}
	}
	q, err := queue.Open(filepath.Join(cfg.State.Dir, "queue.db"), queue.Options{
		Priority: cfg.Upload.Priority,
		Logger:   log.With("component", "queue"),
	})
	if errors.Is(err, queue.ErrLocked) {
		return nil, &configError{err}
	}
	if err != nil {
		return nil, fmt.Errorf("open the queue in state.dir: %w", err)
	}
	d := &daemon{cfg: cfg, log: log, queue: q}
	if err := d.build(); err != nil {
		q.Close()
		return nil, err
	}
	return d, nil
}

func (d *daemon) build() error {
	cfg := d.cfg
	client, err := apiClient(cfg)
	if err != nil {
		return err
	}
	d.watcher, err = watcher.New(cfg.Watch.Root, watcher.Options{
		Dirs:          cfg.Watch.Dirs,
		Settle:        cfg.Watch.Settle,
		Rescan:        cfg.Watch.Rescan,
		Poll:          cfg.Watch.Poll,
		PollInterval:  cfg.Watch.PollInterval,
		Include:       cfg.Watch.Include,
		Exclude:       cfg.Watch.Exclude,
		OpenWriterMax: cfg.Watch.OpenWriterMax,
		Logger:        d.log.With("component", "watcher"),
	})
	if err != nil {
		return &configError{fmt.Errorf("watch: %w", err)}
	}
	d.up = uploader.New(client, d.queue, uploader.Options{
		Root:         cfg.Watch.Root,
		Workers:      cfg.Upload.Workers,
		SmallFile:    cfg.Upload.SmallFile,
		RetryMin:     cfg.Upload.RetryMin,
		RetryMax:     cfg.Upload.RetryMax,
		StallTimeout: cfg.Upload.StallTimeout,
		Bandwidth:    cfg.Upload.Bandwidth,
		Headers:      cfg.Upload.Headers,
		UserAgent:    userAgent(),
		Logger:       d.log.With("component", "uploader"),
	})
	d.report = newStatusReporter(d, statusPath(cfg))
	return nil
}

// Close closes the queue.
func (d *daemon) Close() error { return d.queue.Close() }

// Run runs every part until ctx ends or one fails. With untilIdle (sync),
// it returns once the tree has been scanned, nothing is waiting to settle
// and nothing is queued or active.
func (d *daemon) Run(ctx context.Context, untilIdle bool) error {
	d.log.Info("starting", "version", version, "root", d.cfg.Watch.Root,
		"dirs", strings.Join(d.cfg.Watch.Dirs, ","), "workers", d.cfg.Upload.Workers,
		"state_dir", d.cfg.State.Dir)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(runCtx)
	g.Go(func() error { return d.watcher.Run(gctx, &enqueuer{q: d.queue, log: d.log}) })
	g.Go(func() error { return d.up.Run(gctx) })
	g.Go(func() error { return d.report.Run(gctx) })
	g.Go(func() error { return d.serveRequests(gctx) })
	var idleErr error
	if untilIdle {
		g.Go(func() error {
			idleErr = d.waitIdle(gctx)
			stop()
			return nil
		})
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	d.report.Stopped()
	if err == nil {
		err = idleErr
	}
	d.log.Info("stopped", "summary", d.report.summary())
	return err
}

// enqueuer is the watcher's handler: settled files go into the queue, and
// each full scan prunes records of files that are gone.
type enqueuer struct {
	q   *queue.Queue
	log *slog.Logger
}

func (e *enqueuer) Settled(ctx context.Context, files []watcher.File) error {
	items := make([]queue.Item, len(files))
	for i, f := range files {
		items[i] = queue.Item{Path: f.Path, Size: f.Size, ModTime: f.ModTime}
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

// errJobsFailed is sync's answer when some files could not be uploaded.
var errJobsFailed = errors.New("'odailies-uploader status' lists them; fix the cause, then run 'odailies-uploader retry'")

// waitIdle returns when sync's work is finished: nil if everything was
// uploaded, errJobsFailed if some jobs failed, or an error naming a
// configuration problem that no amount of waiting will fix.
func (d *daemon) waitIdle(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := d.blocked(); err != nil {
			return err
		}
		ws := d.watcher.Status()
		if ws.Scans > 0 && ws.Error != "" {
			return fmt.Errorf("cannot scan the watched folders: %s", ws.Error)
		}
		c := d.queue.Counts()
		if ws.Scans == 0 || ws.Pending > 0 || c.Queued > 0 || c.Active > 0 {
			continue
		}
		if c.Failed > 0 {
			return errJobsFailed
		}
		return nil
	}
}

// blocked reports a health state sync cannot wait out.
func (d *daemon) blocked() error {
	s := d.up.Snapshot()
	switch s.Health {
	case "auth-error", "not-found":
		return fmt.Errorf("uploads are blocked: %s", s.Detail)
	}
	return nil
}
