package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/odailies/odailies-uploader/internal/afterupload"
	"github.com/odailies/odailies-uploader/internal/buildinfo"
	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/control"
	"github.com/odailies/odailies-uploader/internal/dashboard"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// QueueFile is the queue's file in state.dir.
const QueueFile = "queue.db"

// ControlSocket is the control channel's socket in state.dir.
const ControlSocket = "control.sock"

// Daemon is the wired program. Open builds it; Run or Sync runs it once;
// Close releases the queue.
type Daemon struct {
	cfg     *config.Config
	log     *slog.Logger
	queue   *queue.Queue
	watcher *watcher.Watcher
	up      *uploader.Uploader
	report  *reporter
	control *control.Server
	dash    *dashboard.Server // nil when ui.listen is "" (dashboard.go)
	tell    *tell             // metrics and notifications (telling.go); children share it

	// With several shows (shows.go): one child per show, holding its
	// queue, watcher and uploader, and the budget they share; queue,
	// watcher and up above are then nil. name is a child's show.
	shows     []*Daemon
	shared    *uploader.Shared
	name      string
	queuePath string // a child's queue file

	actor *afterupload.Actor // watch.after_upload (afterupload.go); nil with several shows
}

// parts are the daemons that hold a queue: the children, or d itself.
func (d *Daemon) parts() []*Daemon {
	if d.shows != nil {
		return d.shows
	}
	return []*Daemon{d}
}

// Open opens the queue in cfg.State.Dir and builds every part from cfg.
// Problems a person fixes in the config or on the machine are
// *config.Error values. The caller must Close the daemon.
func Open(cfg *config.Config, log *slog.Logger) (*Daemon, error) {
	if err := prepareStateDir(cfg); err != nil {
		return nil, err
	}
	if len(cfg.Shows) > 1 {
		d := &Daemon{cfg: cfg, log: log, tell: newTell()}
		if err := d.openShows(); err != nil {
			return nil, err
		}
		return d.openServing()
	}
	p := filepath.Join(cfg.State.Dir, QueueFile)
	if len(cfg.Shows) == 1 {
		var err error
		if p, err = QueuePath(cfg, cfg.Shows[0]); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, config.Errorf("create %s: %w", filepath.Dir(p), err)
		}
	}
	q, err := openQueue(p, cfg.Upload.Priority, log)
	if err != nil {
		return nil, err
	}
	if len(cfg.Shows) == 1 {
		noteShowInfo(log, p, cfg.Shows[0])
	}
	d := &Daemon{cfg: cfg, log: log, queue: q, tell: newTell()}
	if err := d.buildPipeline(); err != nil {
		q.Close()
		return nil, err
	}
	return d.openServing()
}

// openServing adds what serves every show once the pipelines are open:
// the status reporter, the control server, the dashboard and the
// notifier. On an error it closes what was opened.
func (d *Daemon) openServing() (*Daemon, error) {
	d.report = newReporter(d, status.Path(d.cfg.State.Dir))
	d.control = d.newControl()
	d.dash = d.newDashboard()
	if err := d.openTell(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// buildPipeline builds d's watcher and uploader over its queue.
func (d *Daemon) buildPipeline() error {
	cfg := d.cfg
	client, err := APIClient(cfg)
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
		return config.Errorf("watch: %w", err)
	}
	jobs := d.observe(d.buildActor())
	d.up = uploader.New(client, jobs, uploader.Options{
		Root:                 cfg.Watch.Root,
		APIBaseURL:           cfg.API.BaseURL,
		TokenSource:          cfg.API.TokenSource,
		AllowInsecureStorage: cfg.Upload.AllowInsecureStorage,
		Verify:               cfg.Upload.Verify,
		Workers:              cfg.Upload.Workers,
		FirstClass:           firstClass(cfg.Upload.Priority),
		RetryMin:             cfg.Upload.RetryMin,
		RetryMax:             cfg.Upload.RetryMax,
		StallTimeout:         cfg.Upload.StallTimeout,
		Bandwidth:            cfg.Upload.Bandwidth,
		BandwidthSchedule:    cfg.Upload.BandwidthSchedule,
		Headers:              cfg.Upload.Headers,
		UserAgent:            buildinfo.UserAgent(),
		Logger:               d.log.With("component", "uploader"),
		Shared:               d.shared,
		Name:                 d.name,
		HTTPClient:           d.putClient(),
	})
	return nil
}

// firstClass is the folder that gets the uploader's extra slot: the first
// of upload.priority, "" when the list is empty.
func firstClass(priority []string) string {
	if len(priority) == 0 {
		return ""
	}
	return priority[0]
}

// APIClient is the v1 API client for the config's project and token; a
// refusal of the settings is a *config.Error.
func APIClient(cfg *config.Config) (*odailies.Client, error) {
	client, err := odailies.New(odailies.Options{
		BaseURL:   cfg.API.BaseURL,
		ProjectID: cfg.API.ProjectID,
		Token:     cfg.API.Token,
		UserAgent: buildinfo.UserAgent(),
	})
	if err != nil {
		return nil, config.Errorf("config %s: %w", cfg.Path, err)
	}
	return client, nil
}

// Close closes the queue (every show's).
func (d *Daemon) Close() error {
	var errs []error
	for _, p := range d.parts() {
		if p.queue != nil {
			errs = append(errs, p.queue.Close())
		}
	}
	return errors.Join(errs...)
}

// Counts are the queue's counts now (every show's, added up).
func (d *Daemon) Counts() queue.Counts {
	var c queue.Counts
	for _, p := range d.parts() {
		pc := p.queue.Counts()
		c.Queued += pc.Queued
		c.Active += pc.Active
		c.Done += pc.Done
		c.Failed += pc.Failed
		c.Gone += pc.Gone
		c.Missing += pc.Missing
		c.QueuedBytes += pc.QueuedBytes
		c.ActiveBytes += pc.ActiveBytes
		c.DoneBytes += pc.DoneBytes
	}
	return c
}

// Run runs every part until ctx ends or one fails: what the service runs.
// A stop (ctx ending) is not an error.
func (d *Daemon) Run(ctx context.Context) error {
	err := d.run(ctx, nil)
	if err != nil {
		d.log.Error("stopped on an error", "err", err)
	}
	return err
}

// run runs every part until ctx ends, one fails, or until (when not nil)
// returns; until's error is run's.
func (d *Daemon) run(ctx context.Context, until func(ctx context.Context) error) error {
	if d.shows == nil {
		d.log.Info("starting", "version", buildinfo.Version(), "root", d.cfg.Watch.Root,
			"dirs", strings.Join(d.cfg.Watch.Dirs, ","), "workers", d.cfg.Upload.Workers,
			"state_dir", d.cfg.State.Dir, "user", currentUser())
	} else {
		d.log.Info("starting", "version", buildinfo.Version(), "shows", len(d.shows),
			"workers", d.cfg.Upload.Workers, "state_dir", d.cfg.State.Dir, "user", currentUser())
		for _, c := range d.shows {
			c.log.Info("show", "root", c.cfg.Watch.Root, "dirs", strings.Join(c.cfg.Watch.Dirs, ","),
				"project", c.cfg.API.ProjectID)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(runCtx)
	if d.shows != nil {
		d.runShows(gctx, g.Go)
	} else {
		g.Go(func() error { return d.watcher.Run(gctx, &enqueuer{q: d.queue, log: d.log}) })
		g.Go(func() error { return d.up.Run(gctx) })
		g.Go(func() error { return d.actor.Run(gctx) })
	}
	g.Go(func() error { return d.report.Run(gctx) })
	g.Go(func() error { return d.serveControl(gctx) })
	g.Go(func() error { return d.runTell(gctx) })
	if until == nil { // the service, not a one-pass sync
		g.Go(func() error { return d.serveDashboard(gctx) })
	}
	var untilErr error
	if until != nil {
		g.Go(func() error {
			untilErr = until(gctx)
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
		err = untilErr
	}
	d.log.Info("stopped", "summary", d.report.summary())
	return err
}

// currentUser names the user the daemon runs as, for the start line.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}
