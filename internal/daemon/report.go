package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/control"
	"github.com/odailies/odailies-uploader/internal/report"
	"github.com/odailies/odailies-uploader/queue"
)

// ReportRequest asks for the delivery report (control operation
// "report").
type ReportRequest struct {
	Since  time.Time `json:"since"`  // files uploaded at or after; zero: every upload
	Prefix string    `json:"prefix"` // queue paths starting with it; "": all
	// Watch names the show (report -watch); "" only with one show.
	Watch string `json:"watch,omitempty"`
}

// ReportAnswer is the report's rows, in path order.
type ReportAnswer struct {
	Files []report.File `json:"files"`
}

// Report is the delivery report: every file uploaded since req.Since
// whose path starts with req.Prefix. It asks the running daemon through
// its control channel or, when none runs, reads queue.db itself, never
// creating it, so it works as root beside a daemon that runs as the
// service user, and when the service is stopped.
func Report(ctx context.Context, cfg *config.Config, req ReportRequest) (*report.Report, error) {
	rep := &report.Report{Since: req.Since, Prefix: req.Prefix}
	var ans ReportAnswer
	err := control.Dial(controlPath(cfg.State.Dir), control.ClientOptions{Log: cfg.Log.File}).Call(ctx, "report", req, &ans)
	if err == nil {
		rep.Files = ans.Files
		return rep, nil
	}
	if !errors.Is(err, control.ErrNotRunning) {
		return nil, fmt.Errorf("ask the running daemon for the report: %w", err)
	}
	shows, err := ShowsNamed(cfg, req.Watch)
	if err != nil {
		return nil, err
	}
	q, err := openForReport(cfg, shows[0])
	if err != nil {
		return nil, err
	}
	defer q.Close()
	if rep.Files, err = deliveredFiles(q, req); err != nil {
		return nil, err
	}
	return rep, nil
}

// errNothingUploaded says why there is no report: no queue.db yet.
var errNothingUploaded = errors.New("nothing uploaded yet")

// openForReport opens an existing queue.db, never creating one (nor
// initialising an empty one, which bbolt's open would write).
func openForReport(cfg *config.Config, s config.Show) (*queue.Queue, error) {
	p, err := QueuePath(cfg, s)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w (no queue at %s): the daemon has not run with this config's state.dir; start it, or pass the -config the service uses",
			errNothingUploaded, p)
	case err != nil:
		return nil, fmt.Errorf("read the queue: %w (run the command with sudo, or as the service's user)", err)
	case fi.Size() == 0:
		return nil, fmt.Errorf("%w (%s is empty)", errNothingUploaded, p)
	}
	q, err := queue.Open(p, queue.Options{Timeout: 300 * time.Millisecond})
	if errors.Is(err, queue.ErrLocked) {
		return nil, fmt.Errorf("a daemon holds %s but does not answer on %s (an older version, or stuck): restart it, then ask again: %w",
			p, controlPath(cfg.State.Dir), err)
	}
	if err != nil {
		return nil, fmt.Errorf("read the queue: %w", err)
	}
	return q, nil
}

// deliveredFiles is the queue's done records as report rows.
func deliveredFiles(q *queue.Queue, req ReportRequest) ([]report.File, error) {
	done, err := q.Delivered(req.Since, req.Prefix)
	if err != nil {
		return nil, fmt.Errorf("read the done records: %w", err)
	}
	files := make([]report.File, len(done))
	for i, d := range done {
		files[i] = report.File{
			Path: d.Path, Size: d.Size, MD5: d.MD5, UploadedAt: d.UploadedAt.UTC(),
			Verified: verifiedWord(d.Verified), ETag: d.ETag, ModTime: d.ModTime.UTC(),
			AfterUpload: afterUploadOf(d),
		}
	}
	return files, nil
}

// afterUploadOf is the report's after_upload column for a done record.
func afterUploadOf(d queue.Delivered) report.AfterUpload {
	a := report.AfterUpload{Action: d.Then.String(), Dest: d.ActDest, Reason: d.ActReason}
	if !d.ActAt.IsZero() {
		a.At = d.ActAt.UTC()
	}
	switch d.ActState {
	case queue.ActPending:
		a.State = report.ActPending
	case queue.ActDone:
		a.State = report.ActDone
	case queue.ActFailed:
		a.State = report.ActFailed
	case queue.ActSkipped:
		a.State = report.ActSkipped
	}
	return a
}

// verifiedWord is the report's word for a queue's Verification.
func verifiedWord(v queue.Verification) string {
	switch v {
	case queue.VerifiedETag:
		return report.ETag
	case queue.VerifiedContentMD5:
		return report.ContentMD5
	case queue.VerifiedNone:
		return report.None
	}
	return report.Unknown
}

// answerReport serves the "report" control operation.
func (d *Daemon) answerReport(ctx context.Context, raw json.RawMessage) (any, error) {
	var req ReportRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("%w: report: %v", control.ErrBadRequest, err)
	}
	part := d
	if d.shows != nil {
		c, err := d.show(req.Watch)
		if err != nil {
			return nil, fmt.Errorf("%w: report: %v", control.ErrBadRequest, err)
		}
		part = c
	}
	files, err := deliveredFiles(part.queue, req)
	if err != nil {
		return nil, err
	}
	return ReportAnswer{Files: files}, nil
}

// ReportFlags are the report command's flags, as typed.
type ReportFlags struct {
	Since  string // -since
	Prefix string // -prefix
	CSV    bool   // -csv
	JSON   bool   // -json
	Watch  string // -watch
}

// RequestFor is Request under the root of the show f.Watch names; with
// several shows, -watch is required: each show's report is its own.
func (f ReportFlags) RequestFor(cfg *config.Config, args []string) (ReportRequest, report.Format, error) {
	shows, err := ShowsNamed(cfg, f.Watch)
	switch {
	case err != nil:
		return ReportRequest{}, 0, err
	case len(shows) > 1:
		return ReportRequest{}, 0, fmt.Errorf("the config has %d shows: name the one to report with -watch NAME", len(shows))
	}
	req, format, err := f.Request(shows[0].Watch.Root, args)
	req.Watch = f.Watch
	return req, format, err
}

// Request checks the flags (and that no argument follows them) and
// turns them into a request and an output format. Its errors are usage
// mistakes, each naming the flag.
func (f ReportFlags) Request(root string, args []string) (ReportRequest, report.Format, error) {
	var req ReportRequest
	if len(args) > 0 {
		return req, 0, fmt.Errorf("takes no arguments, got %q (to choose files, use -prefix %s)", args[0], args[0])
	}
	format, err := report.FormatOf(f.CSV, f.JSON)
	if err != nil {
		return req, 0, err
	}
	if req.Since, err = ParseSince(f.Since, time.Now()); err != nil {
		return req, 0, err
	}
	if req.Prefix, err = ReportPrefix(root, f.Prefix); err != nil {
		return req, 0, err
	}
	return req, format, nil
}

// WriteReport writes the delivery report (Report) to w in format.
func WriteReport(ctx context.Context, w io.Writer, cfg *config.Config, req ReportRequest, format report.Format) error {
	rep, err := Report(ctx, cfg, req)
	if err != nil {
		return err
	}
	if err := report.Write(w, rep, format); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}

// ParseSince reads report's -since: a duration back from now ("24h",
// "90m", or whole days, "3d"), a date ("2026-04-22": from that day's
// midnight, local time), "today", or an RFC 3339 time. "" is every
// upload (the zero time).
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if s == "today" {
		y, m, d := now.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, now.Location()), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("-since %s: give a duration above zero, like 24h", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-since %q: want a duration (24h, 3d), a date (2026-04-22), today, or an RFC 3339 time (2026-04-22T18:00:00Z)", s)
}

// ReportPrefix turns report's -prefix, as a person writes it (relative
// to root, or absolute under it; the OS's separators), into a queue path
// prefix: slash-separated, NFC. It is a plain string prefix, as S3's is:
// "_graded/Day03/" is the folder, "_graded/Day03" also matches
// "_graded/Day030/". A trailing separator is kept.
func ReportPrefix(root, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	folder := strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator))
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("-prefix %s is not under watch.root %s", p, root)
		}
		p = rel
	}
	p = filepath.ToSlash(filepath.Clean(p))
	switch {
	case p == ".":
		return "", nil // the whole root
	case p == ".." || strings.HasPrefix(p, "../"):
		return "", fmt.Errorf("-prefix %s is outside watch.root", p)
	}
	if folder {
		p += "/"
	}
	return norm.NFC.String(p), nil
}
