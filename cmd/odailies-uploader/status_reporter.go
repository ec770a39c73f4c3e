package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"
)

// statusReporter turns the parts' state into status.json every statusInterval,
// a summary line every log.status_every while there is work, and a line
// on every change of health.
type statusReporter struct {
	d       *daemon
	path    string
	log     *slog.Logger
	started time.Time
	state   string // last health reported
	lastSum time.Time
}

func newStatusReporter(d *daemon, path string) *statusReporter {
	return &statusReporter{d: d, path: path, log: d.log, started: time.Now(), state: "running"}
}

// Run writes the status until ctx ends.
func (r *statusReporter) Run(ctx context.Context) error {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	for {
		r.update(time.Now())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Stopped writes the final status of a clean stop.
func (r *statusReporter) Stopped() {
	doc := r.collect(time.Now())
	doc.State, doc.Detail = "stopped", ""
	doc.ActiveFiles = []activeFile{}
	doc.Active = 0
	r.write(doc)
}

func (r *statusReporter) update(now time.Time) {
	doc := r.collect(now)
	if doc.State != r.state {
		r.healthChanged(r.state, doc)
		r.state = doc.State
	}
	if doc.Queued+doc.Active > 0 && now.Sub(r.lastSum) >= r.d.cfg.Log.StatusEvery {
		r.lastSum = now
		r.log.Info("status", r.summaryAttrs(doc)...)
	}
	r.write(doc)
}

func (r *statusReporter) write(doc *statusDoc) {
	if err := writeStatus(r.path, doc); err != nil {
		r.log.Warn("cannot write the status file", "path", r.path, "err", err)
	}
}

func (r *statusReporter) healthChanged(from string, doc *statusDoc) {
	if doc.State == "running" {
		r.log.Info("health: back to normal", "was", from)
		return
	}
	r.log.Warn("health: "+doc.State, "problem", doc.Detail, "was", from)
}

// collect reads every part's state into a status document.
func (r *statusReporter) collect(now time.Time) *statusDoc {
	c := r.d.queue.Counts()
	snap := r.d.up.Snapshot()
	ws := r.d.watcher.Status()
	doc := &statusDoc{
		State: "running", Updated: now.UTC(),
		Queued: c.Queued, Active: c.Active, Done: c.Done, Failed: c.Failed, Gone: c.Gone,
		BytesDone: c.DoneBytes, QueuedBytes: c.QueuedBytes, Rate: snap.Rate,
		ActiveFiles: make([]activeFile, 0, len(snap.Active)),
		Watcher: watcherDoc{Mode: ws.Mode, Dirs: ws.Dirs, LastScan: utcOrZero(ws.LastScan),
			Error: ws.Error, Pending: ws.Pending},
		Started: r.started.UTC(), PID: os.Getpid(), Version: version,
	}
	var sent int64
	for _, a := range snap.Active {
		doc.ActiveFiles = append(doc.ActiveFiles, activeFile{Path: a.Path, BytesSent: a.BytesSent, Size: a.Size})
		sent += a.BytesSent
	}
	if left := c.QueuedBytes + c.ActiveBytes - sent; snap.Rate > 0 && left > 0 {
		doc.ETASeconds = int64(float64(left) / snap.Rate)
	}
	doc.RecentFailures = r.failures()
	switch {
	case snap.Health != "" && snap.Health != "ok":
		doc.State, doc.Detail = snap.Health, snap.Detail
	case ws.Error != "":
		doc.State, doc.Detail = "watch-error", ws.Error
	}
	return doc
}

func (r *statusReporter) failures() []recentFailure {
	out := []recentFailure{}
	fs, err := r.d.queue.Failures(10)
	if err != nil {
		r.log.Warn("cannot read failures from the queue", "err", err)
		return out
	}
	for _, f := range fs {
		out = append(out, recentFailure{Path: f.Path, Error: f.Error, At: f.At.UTC()})
	}
	return out
}

func (r *statusReporter) summaryAttrs(doc *statusDoc) []any {
	eta := "-"
	if doc.ETASeconds > 0 {
		eta = (time.Duration(doc.ETASeconds) * time.Second).String()
	}
	return []any{"queued", doc.Queued, "active", doc.Active, "done", doc.Done,
		"failed", doc.Failed, "rate", formatRate(doc.Rate), "eta", eta}
}

// summary is the one-line account logged at stop.
func (r *statusReporter) summary() string {
	c := r.d.queue.Counts()
	s := r.d.up.Snapshot()
	return fmt.Sprintf("uploaded=%d (%s) queued=%d failed=%d gone=%d",
		s.Uploaded, formatBytes(s.BytesDone), c.Queued, c.Failed, c.Gone)
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func isWindows() bool { return runtime.GOOS == "windows" }

// formatBytes prints a byte count with a binary unit.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func formatRate(bps float64) string { return formatBytes(int64(bps)) + "/s" }
