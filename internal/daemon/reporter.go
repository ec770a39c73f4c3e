package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/buildinfo"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/internal/units"
)

// reporter turns the parts' state into status.json every status.Interval,
// a summary line every log.status_every while there is work, and a line
// on every change of health.
type reporter struct {
	d       *Daemon
	path    string
	log     *slog.Logger
	started time.Time
	state   status.State // last state reported
	// showStates is each show's last state, with several (shows.go).
	showStates map[string]status.State
	lastSum    time.Time

	writeErr    string    // the status write failure last logged, "" when writes work
	writeWarned time.Time // when it was logged
}

func newReporter(d *Daemon, path string) *reporter {
	return &reporter{d: d, path: path, log: d.log, started: time.Now(), state: status.Running}
}

// lookEvery is how often Run looks for a milestone between rewrites.
const lookEvery = 100 * time.Millisecond

// milestone is what makes Run write the status before the next interval:
// a full scan finished, the work drained or started, or the last file the
// watcher had pending settled or a first one came. Someone waiting for a
// restarted daemon to settle (`status` showing the scan finished and
// nothing pending, queued or active) sees it within lookEvery, not up to
// status.Interval later: a scan often finishes with files still pending,
// the settle check coming just after it.
type milestone struct {
	scans   int
	idle    bool
	settled bool // nothing pending in any watcher
}

func (r *reporter) milestone() milestone {
	m := milestone{idle: true, settled: true}
	for _, d := range r.d.parts() { // every show's scans and work
		c, ws := d.queue.Counts(), d.watcher.Status()
		m.scans += ws.Scans
		m.idle = m.idle && c.Queued+c.Active == 0
		m.settled = m.settled && ws.Pending == 0
	}
	return m
}

// Run writes the status every status.Interval and at each milestone until
// ctx ends.
func (r *reporter) Run(ctx context.Context) error {
	tick := time.NewTicker(status.Interval)
	defer tick.Stop()
	look := time.NewTicker(lookEvery)
	defer look.Stop()
	for {
		last := r.milestone()
		r.update(time.Now())
	wait:
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
				break wait
			case <-look.C:
				if r.milestone() != last {
					break wait
				}
			}
		}
	}
}

// Stopped writes the final status of a clean stop.
func (r *reporter) Stopped() {
	doc := r.collect(time.Now())
	doc.State, doc.Detail = status.Stopped, ""
	doc.ActiveFiles = []status.ActiveFile{}
	doc.Active = 0
	r.write(doc)
}

func (r *reporter) update(now time.Time) {
	doc := r.collect(now)
	if doc.State != r.state {
		r.healthChanged(r.state, doc)
		r.state = doc.State
	}
	r.showsChanged(doc.Watches)
	if doc.Queued+doc.Active > 0 && now.Sub(r.lastSum) >= r.d.cfg.Log.StatusEvery {
		r.lastSum = now
		r.log.Info("status", r.summaryAttrs(doc)...)
	}
	r.write(doc)
}

func (r *reporter) write(doc *status.Doc) {
	r.writeFailed(status.Write(r.path, doc), time.Now())
}

// writeRepeat is how often a status file that still cannot be written is
// said again: once per change, then hourly, not every rewrite.
const writeRepeat = time.Hour

// writeFailed logs a status write's outcome when it changed, or when the
// same failure has lasted another writeRepeat.
func (r *reporter) writeFailed(err error, now time.Time) {
	switch {
	case err == nil && r.writeErr != "":
		r.writeErr = ""
		r.log.Info("the status file can be written again", "path", r.path)
	case err == nil:
	case err.Error() != r.writeErr || now.Sub(r.writeWarned) >= writeRepeat:
		r.writeErr, r.writeWarned = err.Error(), now
		r.log.Warn("cannot write the status file; 'status' shows old news until it can", "path", r.path, "err", err)
	}
}

func (r *reporter) healthChanged(from status.State, doc *status.Doc) {
	if doc.State == status.Running {
		r.log.Info("health: back to normal", "was", from)
		return
	}
	r.log.Warn("health: "+string(doc.State), "problem", doc.Detail, "was", from)
}

// collect reads every part's state into a status document.
func (r *reporter) collect(now time.Time) *status.Doc {
	if r.d.shows != nil {
		return r.collectShows(now)
	}
	return r.collectOne(r.d, now)
}

// collectOne is the status of one show's parts, d's.
func (r *reporter) collectOne(d *Daemon, now time.Time) *status.Doc {
	c := d.queue.Counts()
	snap := d.up.Snapshot()
	ws := d.watcher.Status()
	doc := &status.Doc{
		State: status.Running, Updated: now.UTC(),
		Queued: c.Queued, Active: c.Active, Done: c.Done, Failed: c.Failed, Gone: c.Gone, Missing: c.Missing,
		BytesDone: c.DoneBytes, QueuedBytes: c.QueuedBytes, Rate: snap.Rate,
		ActiveFiles: make([]status.ActiveFile, 0, len(snap.Active)),
		Verified: status.Verified{ETag: c.Verified.ETag, ContentMD5: c.Verified.ContentMD5,
			None: c.Verified.None, Unknown: c.Verified.Unknown},
		Watcher: status.Watcher{Mode: ws.Mode, Dirs: ws.Dirs, LastScan: utcOrZero(ws.LastScan),
			Error: ws.Error, Pending: ws.Pending, WriterCheck: ws.WriterCheck,
			MoreProblems: ws.MoreProblems},
		Started: r.started.UTC(), PID: os.Getpid(), Version: buildinfo.Version(),
		Bandwidth: status.Bandwidth{Limit: snap.Bandwidth, Scheduled: snap.BandwidthScheduled,
			NextChange: utcOrZero(snap.BandwidthNext), NextLimit: snap.BandwidthNextLimit},
	}
	ac := d.queue.ActionCounts()
	doc.ActionsPending, doc.ActionsFailed, doc.ActionsDone = ac.Pending, ac.Failed, ac.Done
	for _, p := range ws.Problems {
		doc.Watcher.Problems = append(doc.Watcher.Problems, status.Problem{Path: p.Path, Problem: p.Problem})
	}
	var sent int64
	for _, a := range snap.Active {
		doc.ActiveFiles = append(doc.ActiveFiles, status.ActiveFile{Path: a.Path, BytesSent: a.BytesSent, Size: a.Size})
		sent += a.BytesSent
	}
	if left := c.QueuedBytes + c.ActiveBytes - sent; snap.Rate > 0 && left > 0 {
		doc.ETASeconds = int64(float64(left) / snap.Rate)
	}
	doc.RecentFailures = r.failures(d)
	doc.State, doc.Detail = d.showHealth(snap, ws.Error)
	return doc
}

// recentFailures is how many failed uploads, and how many failed
// after-upload actions, status.json lists.
const recentFailures = 10

// failures is recent_failures: the failed uploads, then the files whose
// after-upload action failed at its last try (action set, the error with
// its fix, when that try failed), each newest first. An action failure
// leaves the list when the action is done at a later try (or skipped, or
// a new version of the file is uploaded); an upload failure when retry
// puts it back.
func (r *reporter) failures(d *Daemon) []status.RecentFailure {
	out := []status.RecentFailure{}
	fs, err := d.queue.Failures(recentFailures)
	if err != nil {
		r.log.Warn("cannot read failures from the queue", "err", err)
		return out
	}
	for _, f := range fs {
		out = append(out, status.RecentFailure{Path: f.Path, Error: f.Error, At: f.At.UTC()})
	}
	if d.queue.ActionCounts().Failed == 0 {
		return out
	}
	acts, err := d.queue.ActionFailures(recentFailures)
	if err != nil {
		r.log.Warn("cannot read failed after-upload actions from the queue", "err", err)
		return out
	}
	for _, f := range acts {
		action := f.Action.String()
		out = append(out, status.RecentFailure{Path: f.Path, At: f.At.UTC(), Action: action,
			Error: fmt.Sprintf("uploaded, but could not %s it (watch.after_upload = %q): %s", action, action, f.Error)})
	}
	return out
}

func (r *reporter) summaryAttrs(doc *status.Doc) []any {
	eta := "-"
	if doc.ETASeconds > 0 {
		eta = (time.Duration(doc.ETASeconds) * time.Second).String()
	}
	attrs := []any{"queued", doc.Queued, "active", doc.Active, "done", doc.Done,
		"failed", doc.Failed, "rate", units.Rate(doc.Rate), "eta", eta}
	if doc.Bandwidth.Limit > 0 {
		attrs = append(attrs, "cap", units.Rate(float64(doc.Bandwidth.Limit)))
	}
	return attrs
}

// summary is the one-line account logged at stop.
func (r *reporter) summary() string {
	parts := r.d.parts()
	var out []string
	for _, d := range parts {
		c := d.queue.Counts()
		s := d.up.Snapshot()
		line := fmt.Sprintf("uploaded=%d (%s) queued=%d failed=%d gone=%d",
			s.Uploaded, units.Bytes(s.BytesDone), c.Queued, c.Failed, c.Gone)
		if len(parts) > 1 {
			line = fmt.Sprintf("show %q: %s", d.name, line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "; ")
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
