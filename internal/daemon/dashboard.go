package daemon

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/odailies/odailies-uploader/internal/buildinfo"
	"github.com/odailies/odailies-uploader/internal/dashboard"
	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/queue"
)

// # The dashboard
//
// With ui.listen set (the default, 127.0.0.1:8484) Run (the service, not
// a one-pass Sync) serves the dashboard (internal/dashboard) in its errgroup, reading its state here
// in-process: the reporter's status documents (the totals and each
// show's), each show's queue for recent uploads and failures, its Retry
// through the control channel's "retry" operation and its search box
// through "why". Further handlers (the metrics) mount on the same
// listener and guard with Dashboard().Handle before Run.
//
// A dashboard that cannot listen (the port taken, an address that is not
// this machine's) never stops the uploads: the daemon logs an error
// naming ui.listen and the fix, and tries again every listenRetry; the
// dashboard's own start line says when it listens.

// listenRetry is how often a dashboard that could not listen tries again.
const listenRetry = time.Minute

// newDashboard builds the dashboard from cfg.UI; nil when ui.listen is "".
func (d *Daemon) newDashboard() *dashboard.Server {
	if d.cfg.UI.Listen == "" {
		return nil
	}
	return dashboard.New(dashSource{d}, dashboard.Options{
		Listen:   d.cfg.UI.Listen,
		Password: d.cfg.UI.Password,
		Redactor: redact.New(d.cfg.Tokens()...),
		Why:      d.dashWhy,
		Version:  buildinfo.Version(),
		Logger:   d.log.With("component", "dashboard"),
	})
}

// Dashboard is the dashboard server, for mounting further handlers on
// its listener before Run (the metrics); nil when ui.listen is "".
func (d *Daemon) Dashboard() *dashboard.Server { return d.dash }

// serveDashboard runs the dashboard until ctx ends; see "The dashboard".
func (d *Daemon) serveDashboard(ctx context.Context) error {
	if d.dash == nil {
		return nil
	}
	warned := false
	for {
		err := d.dash.Run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if !warned || !errors.Is(err, dashboard.ErrListen) {
			d.log.Error("the dashboard cannot listen on ui.listen; uploads go on without it, and it tries again every minute",
				"ui.listen", d.cfg.UI.Listen, "err", err,
				"fix", "stop what holds the port (ss -ltnp | grep "+portOf(d.cfg.UI.Listen)+"), or set ui.listen to another address (\"\" turns the dashboard off)")
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(listenRetry):
		}
	}
}

// portOf is addr's port, for the fix's command.
func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}

// dashWhy answers the search box through the control channel's "why"
// operation, in-process.
func (d *Daemon) dashWhy(ctx context.Context, path string) (any, error) {
	return d.control.Call(ctx, "why", why.Request{Paths: []string{path}})
}

// dashSource is the daemon as the dashboard reads it.
type dashSource struct{ d *Daemon }

var _ dashboard.Source = dashSource{}

func (s dashSource) Status(now time.Time) (*status.Doc, []dashboard.ShowStatus) {
	r := s.d.report
	if s.d.shows == nil {
		doc := r.collectOne(s.d, now)
		return doc, []dashboard.ShowStatus{{Doc: doc}}
	}
	shows := make([]dashboard.ShowStatus, 0, len(s.d.shows))
	for _, c := range s.d.shows {
		doc := r.collectOne(c, now)
		for i := range doc.ActiveFiles {
			doc.ActiveFiles[i].Watch = c.name
		}
		shows = append(shows, dashboard.ShowStatus{Name: c.name, Doc: doc})
	}
	return r.collectShows(now), shows
}

// part is the show named name ("" with one show).
func (s dashSource) part(name string) (*Daemon, error) {
	if s.d.shows == nil {
		return s.d, nil
	}
	return s.d.show(name)
}

func (s dashSource) Recent(show string, n int) ([]dashboard.Upload, error) {
	p, err := s.part(show)
	if err != nil {
		return nil, err
	}
	ds, err := p.queue.Delivered(time.Time{}, "")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ds, func(a, b queue.Delivered) int { return cmp.Compare(b.UploadedAt.UnixNano(), a.UploadedAt.UnixNano()) })
	out := make([]dashboard.Upload, 0, min(n, len(ds)))
	for _, x := range ds[:min(n, len(ds))] {
		out = append(out, dashboard.Upload{Path: x.Path, Size: x.Size, At: x.UploadedAt.UTC(), MD5: x.MD5, Verified: string(x.Verified)})
	}
	return out, nil
}

func (s dashSource) Failures(show string, n int) ([]dashboard.Failure, error) {
	p, err := s.part(show)
	if err != nil {
		return nil, err
	}
	fs, err := p.queue.Failures(n)
	if err != nil {
		return nil, err
	}
	out := make([]dashboard.Failure, 0, len(fs))
	for _, f := range fs {
		out = append(out, dashboard.Failure{Path: f.Path, Error: f.Error, At: f.At.UTC(), Attempts: f.Attempts})
	}
	return out, nil
}

// Retry goes through the control channel's "retry" operation, as the
// retry command does while the daemon runs.
func (s dashSource) Retry(ctx context.Context, show string, paths []string) (int, error) {
	raw, err := json.Marshal(RetryRequest{Paths: paths, Watch: show})
	if err != nil {
		return 0, err
	}
	ans, err := s.d.answerRetry(ctx, raw)
	if err != nil {
		return 0, err
	}
	return ans.(RetryAnswer).Requeued, nil
}
