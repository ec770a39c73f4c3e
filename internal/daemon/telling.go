package daemon

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odailies/odailies-uploader/internal/metrics"
	"github.com/odailies/odailies-uploader/internal/notify"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
)

// # Being told
//
// Every process has one tell (issue 19): the metrics that /metrics serves
// on the dashboard's listener and guard, and, with [[notify]] tables, the
// notifier. The uploader knows neither: each show's queue is wrapped
// (observed) so that Done, Fail and Retry feed the counters and the
// notifier's failure and activity, and its PUT transport is wrapped for
// the PUT histograms. Health is read every healthEvery from the same
// parts status.json is (showHealth) and handed to the notifier, which
// sends only changes; after a restart, running counts as a recovery only
// once a file was uploaded (a daemon that has not signed yet looks
// healthy). The gauges are read at scrape time.

// healthEvery is how often each show's health is handed to the notifier.
const healthEvery = time.Second

// tell is the metrics and the notifier of one process; children share
// their parent's.
type tell struct {
	metrics *metrics.Metrics
	notify  *notify.Notifier // nil without [[notify]]; set by openTell, before Run
}

// newTell is a process's tell before its pipelines are built: the
// metrics (the shows are added by openTell), no notifier yet.
func newTell() *tell { return &tell{metrics: metrics.New(nil, metrics.Options{})} }

// openTell builds the metrics over every show and the notifier, and
// mounts /metrics on the dashboard. Called once the pipelines are built.
func (d *Daemon) openTell() error {
	shows := map[string]notify.Show{}
	for _, p := range d.parts() {
		d.tell.metrics.Add(metrics.ShowSource{Name: p.name, Read: p.metricsSnapshot})
		shows[p.name] = notify.Show{Idle: p.idle, Day: p.day}
	}
	if d.dash != nil {
		d.dash.Handle("GET /metrics", d.tell.metrics.Handler())
	}
	if len(d.cfg.Notify) == 0 {
		return nil
	}
	var targets []notify.Target
	for _, n := range d.cfg.Notify {
		targets = append(targets, notify.Target{URL: n.URL, Events: n.Events, Format: n.Format,
			Quiet: n.Quiet, Authorization: n.Authorization})
	}
	n, err := notify.New(notify.Options{Targets: targets, Dir: d.cfg.State.Dir, Shows: shows,
		Logger: d.log.With("component", "notify")})
	if err != nil {
		return err
	}
	d.tell.notify = n
	return nil
}

// MetricsHandler serves /metrics (for tests and a caller that mounts it
// elsewhere).
func (d *Daemon) MetricsHandler() http.Handler { return d.tell.metrics.Handler() }

// runTell runs the notifier and hands it each show's health until ctx
// ends.
func (d *Daemon) runTell(ctx context.Context) error {
	n := d.tell.notify
	if n == nil {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.Run(gctx) })
	g.Go(func() error {
		tick := time.NewTicker(healthEvery)
		defer tick.Stop()
		paused := map[string]bool{} // shows seen paused by this process
		for {
			for _, p := range d.parts() {
				snap := p.up.Snapshot()
				state, detail := p.showHealth(snap, p.watcher.Status().Error)
				switch {
				case state == status.State(uploader.HealthSlowDown):
					continue // the API asked for fewer requests: not a pause worth a message
				case state != status.Running:
					paused[p.name] = true
				case !paused[p.name] && snap.LastUploadAt.IsZero():
					// Just started, nothing uploaded yet: not proof that a
					// pause notified before the restart is over.
					continue
				}
				n.Health(p.name, string(state), detail)
			}
			select {
			case <-gctx.Done():
				return gctx.Err()
			case <-tick.C:
			}
		}
	})
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// showHealth is show d's state in one word and what is wrong, as
// status.json says it.
func (d *Daemon) showHealth(snap uploader.Snapshot, watchErr string) (status.State, string) {
	switch {
	case d.queue.WriteError() != nil:
		return status.StateDiskError, d.queue.WriteError().Error()
	case snap.Health != "" && snap.Health != uploader.HealthOK:
		return status.State(snap.Health), snap.Detail
	case watchErr != "":
		return status.WatchError, watchErr
	}
	return status.Running, ""
}

// metricsSnapshot is show d's state for a scrape: locks only, no I/O.
func (d *Daemon) metricsSnapshot() metrics.Snapshot {
	c := d.queue.Counts()
	snap := d.up.Snapshot()
	ws := d.watcher.Status()
	state, _ := d.showHealth(snap, ws.Error)
	m := metrics.Snapshot{Queued: c.Queued, Active: c.Active, Done: c.Done, Failed: c.Failed, Gone: c.Gone,
		Missing: c.Missing, QueuedBytes: c.QueuedBytes, ActiveBytes: c.ActiveBytes, DoneBytes: c.DoneBytes,
		Health: string(state), BandwidthLimit: snap.Bandwidth, WatcherMode: ws.Mode, LastScan: ws.LastScan}
	if at, ok := d.queue.OldestQueued(); ok {
		m.OldestQueued = at
	}
	return m
}

// idle reports whether show d has scanned its tree and has nothing
// queued, active or settling: a day of it may be caught up.
func (d *Daemon) idle() bool {
	c := d.queue.Counts()
	ws := d.watcher.Status()
	return ws.Scans > 0 && ws.Pending == 0 && c.Queued+c.Active == 0
}

// day totals the queue's records under folder for its caught-up.
func (d *Daemon) day(folder string) (notify.Day, error) {
	ds, err := d.queue.Delivered(time.Time{}, folder+"/")
	if err != nil {
		return notify.Day{}, err
	}
	var out notify.Day
	for _, x := range ds {
		out.Files++
		out.Bytes += x.Size
		if x.Verified == queue.VerifiedNone || x.Verified == "" {
			out.Unverified++
		}
	}
	fs, err := d.queue.Failures(0)
	if err != nil {
		return notify.Day{}, err
	}
	for _, f := range fs {
		if len(f.Path) > len(folder) && f.Path[:len(folder)+1] == folder+"/" {
			out.Failed++
		}
	}
	return out, nil
}

// putClient is the uploader's PUT client with the PUT histograms of show
// d around NewTransport.
func (d *Daemon) putClient() *http.Client {
	return &http.Client{Transport: d.tell.show(d.name).Transport(uploader.NewTransport(d.cfg.Upload.Workers))}
}

// show is the metrics recorder of show name.
func (t *tell) show(name string) *metrics.Show { return t.metrics.Show(name) }

// observe wraps show d's jobs so that outcomes reach the metrics and the
// notifier (see "Being told").
func (d *Daemon) observe(j uploader.Jobs) uploader.Jobs {
	return &observed{Jobs: j, d: d}
}

// observed is a show's queue as the uploader drives it, telling the
// metrics and the notifier what became of each job. A result the queue
// refuses (a stale lease) is not told.
type observed struct {
	uploader.Jobs
	d *Daemon
}

var _ uploader.Jobs = (*observed)(nil)

func (o *observed) Done(j queue.Job, dl queue.Delivery) error {
	err := o.Jobs.Done(j, dl)
	if err == nil {
		o.d.tell.show(o.d.name).Uploaded(j.Size)
		if n := o.d.tell.notify; n != nil {
			n.Activity(o.d.name, j.Path)
		}
	}
	return err
}

func (o *observed) Fail(j queue.Job, reason string) error {
	err := o.Jobs.Fail(j, reason)
	if err == nil {
		o.d.tell.show(o.d.name).Failed(reason)
		if n := o.d.tell.notify; n != nil {
			n.Failure(o.d.name, j.Path, reason, fixFor(reason))
		}
	}
	return err
}

func (o *observed) Retry(j queue.Job, at time.Time, reason string) error {
	err := o.Jobs.Retry(j, at, reason)
	if err == nil {
		o.d.tell.show(o.d.name).Retried(reason)
	}
	return err
}

// fixFor is what to do about a failure, by its class (the uploader's own
// hint is in the status log beside the failure).
func fixFor(reason string) string {
	switch metrics.Class(reason) {
	case "too-large":
		return "export the clip in parts smaller than the storage's single-upload limit"
	case "local":
		return "check the file on the ingest machine (permissions, a special file), then run 'odailies-uploader retry'"
	case "auth":
		return "check the token (api.token_file) can upload to the project, then run 'odailies-uploader retry'"
	}
	return "fix the cause named, then run 'odailies-uploader retry' on the ingest machine (or Retry on its dashboard)"
}
