package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/afterupload"
	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// DefaultGiveUp is how long sync waits, by default, while nothing can be
// uploaded.
const DefaultGiveUp = 5 * time.Minute

// SyncOptions configure Sync.
type SyncOptions struct {
	// GiveUp: when nothing could be uploaded for this long while work is
	// waiting, Sync stops and says why. 0 means DefaultGiveUp.
	GiveUp time.Duration
}

// ErrJobsFailed is wrapped by Sync's error when some files could not be
// uploaded.
var ErrJobsFailed = errors.New("'odailies-uploader status' lists them; fix the cause, then run 'odailies-uploader retry'")

// ErrGaveUp is wrapped by Sync's error when nothing could be uploaded for
// SyncOptions.GiveUp.
var ErrGaveUp = errors.New("gave up")

// ErrInterrupted is wrapped by Sync's error when ctx ended with work left.
var ErrInterrupted = errors.New("interrupted")

// Sync runs one pass: scan, upload everything settled, return. See the
// package doc for its end rules.
func (d *Daemon) Sync(ctx context.Context, o SyncOptions) error {
	if o.GiveUp <= 0 {
		o.GiveUp = DefaultGiveUp
	}
	if d.shows != nil {
		return d.syncShows(ctx, o)
	}
	if err := d.noFolderAtAll(); err != nil {
		d.log.Error("nothing to sync", "err", err)
		return err
	}
	w := &syncWait{d: d, giveUp: o.GiveUp, now: time.Now}
	err := d.run(ctx, w.wait)
	if err == nil && ctx.Err() != nil {
		err = w.interrupted()
	}
	return d.syncEnd(err)
}

// syncEnd logs sync's outcome and words its error.
func (d *Daemon) syncEnd(err error) error {
	switch {
	case errors.Is(err, ErrJobsFailed):
		n := d.Counts().Failed
		d.log.Warn("sync finished with failed uploads", "failed", n)
		err = fmt.Errorf("%d upload(s) failed: %w", n, err)
	case errors.Is(err, ErrActionsFailed):
		d.log.Warn("sync finished; some uploaded files were not moved or deleted", "err", err)
	case err != nil:
		d.log.Error("sync stopped", "err", err)
	default:
		d.log.Info("sync finished: everything is uploaded")
	}
	return err
}

// noFolderAtAll is an error when none of the watched folders exists.
func (d *Daemon) noFolderAtAll() error {
	for _, dir := range d.cfg.Watch.Dirs {
		if fi, err := os.Stat(filepath.Join(d.cfg.Watch.Root, filepath.FromSlash(dir))); err == nil && fi.IsDir() {
			return nil
		}
	}
	missing := config.MissingFolders(d.cfg.Watch.Root, d.cfg.Watch.Dirs)
	return fmt.Errorf("none of the watched folders exists (%s): plug in the drive or fix watch.root and watch.dirs in %s",
		strings.Join(missing, "; "), d.cfg.Path)
}

// syncWait decides when a sync is over.
type syncWait struct {
	d      *Daemon
	giveUp time.Duration
	now    func() time.Time

	progress time.Time // when an upload last finished, or nothing was waiting
	uploaded int       // Snapshot.Uploaded at progress
	warned   string    // the watch problem already logged
	asked    bool      // failed after-upload actions were asked to be tried once more
	ticket   uint64    // the actor's ticket for that try
}

// wait returns when sync's work is finished, or a rule says stop; nil
// when ctx ends first.
func (w *syncWait) wait(ctx context.Context) error {
	w.progress = w.now()
	look := w.d.newLooks()
	defer look.stop()
	for look.next(ctx) {
		done, err := w.check(w.d.up.Snapshot(), w.d.watcher.Status(), w.d.queue.Counts())
		if done || err != nil {
			return err
		}
	}
	return nil
}

// check applies the end rules to one look at the parts.
func (w *syncWait) check(s uploader.Snapshot, ws watcher.Status, c queue.Counts) (bool, error) {
	if s.Health.Blocking() {
		return true, fmt.Errorf("uploads are blocked: %s", s.Detail)
	}
	if err := w.watchProblem(ws); err != nil {
		return true, err
	}
	now := w.now()
	if s.Uploaded != w.uploaded || c.Queued+c.Active == 0 {
		w.progress, w.uploaded = now, s.Uploaded
	}
	if ws.Scans > 0 && ws.Pending == 0 && c.Queued == 0 && c.Active == 0 {
		over, actErr := w.actionsOver()
		if !over {
			return false, nil
		}
		var err error
		switch {
		case c.Failed > 0:
			err = ErrJobsFailed
		case len(ws.Problems) > 0:
			err = heldBack(ws)
		}
		if err == nil {
			return true, actErr
		}
		if actErr != nil {
			err = errors.Join(err, actErr)
		}
		return true, err
	}
	w.asked = false // work came back: its actions get their own try at the end
	if now.Sub(w.progress) >= w.giveUp {
		return true, fmt.Errorf("%w after %s: nothing could be uploaded (%d file(s) waiting): %s",
			ErrGaveUp, w.giveUp, c.Queued+c.Active, w.why(s))
	}
	return false, nil
}

// actionsOver applies sync's rule for after-upload actions, once nothing
// is left to upload: over when none is pending (the actor carries pending
// ones out now, however long a copy to another volume takes) and every
// failed one has been tried once more since (TryFailed, asked the first
// time only failed ones are left); err then names those that still fail.
func (w *syncWait) actionsOver() (over bool, err error) {
	tried := w.asked && w.d.actor.Tried(w.ticket) // before the counts: they then include that try
	a := w.d.queue.ActionCounts()
	switch {
	case a.Pending > 0:
		return false, nil
	case a.Failed == 0:
		return true, nil
	case !w.asked:
		w.ticket, w.asked = w.d.actor.TryFailed(), true
		return false, nil
	case !tried:
		return false, nil
	}
	return true, w.actionsFailed()
}

// ErrActionsFailed is wrapped by Sync's error when files were uploaded
// but their after-upload action (move, delete) failed, tried once more
// before the end. The files are where they were; nothing is lost.
var ErrActionsFailed = errors.New("after-upload action failed")

// actionsFailed names the failed after-upload actions, at most five, each
// with its reason and fix; nil when there are none.
func (w *syncWait) actionsFailed() error {
	list, err := w.d.queue.PendingActions()
	if err != nil {
		return fmt.Errorf("list after-upload actions: %w", err)
	}
	var parts []string
	n := 0
	for _, p := range list {
		if p.State != queue.ActFailed {
			continue
		}
		if n++; n <= 5 {
			parts = append(parts, fmt.Sprintf("%s (%s): %s", p.Path, p.Action, p.Reason))
		}
	}
	if n == 0 {
		return nil
	}
	if n > 5 {
		parts = append(parts, fmt.Sprintf("and %d more ('odailies-uploader status' lists them)", n-5))
	}
	return fmt.Errorf("%w: %d file(s) uploaded but not moved or deleted as watch.after_upload asks; "+
		"each is where it was, and is tried again at the next sync or start (the service: every %s too): %s",
		ErrActionsFailed, n, afterupload.DefaultRetryEvery, strings.Join(parts, "; "))
}

// watchProblem lets sync go on past a watched folder that is missing (a
// warning, logged once) but not past a tree it cannot read.
func (w *syncWait) watchProblem(ws watcher.Status) error {
	if ws.Scans == 0 || ws.Error == "" {
		return nil
	}
	missing := config.MissingFolders(w.d.cfg.Watch.Root, w.d.cfg.Watch.Dirs)
	if len(missing) == 0 && !w.d.dirsReadable() {
		return fmt.Errorf("cannot scan the watched folders: %s", ws.Error)
	}
	if err := w.d.noFolderAtAll(); err != nil {
		return err
	}
	// A missing folder, one that may be unplugged, a fallback to polling:
	// what can be read is uploaded.
	if w.warned != ws.Error {
		w.warned = ws.Error
		w.d.log.Warn("watcher problem; uploading what can be read", "problem", ws.Error)
	}
	return nil
}

// ErrHeldBack is wrapped by Sync's error when files were seen but could
// not be handed over (unreadable, clashing names).
var ErrHeldBack = errors.New("held back")

// heldBack names the files the watcher holds back, at most five.
func heldBack(ws watcher.Status) error {
	n := len(ws.Problems) + ws.MoreProblems
	var parts []string
	for i, p := range ws.Problems {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more ('odailies-uploader status' lists them)", n-5))
			break
		}
		parts = append(parts, p.Path+": "+p.Problem)
	}
	return fmt.Errorf("%w: %d file(s) or folder(s) cannot be uploaded until fixed: %s", ErrHeldBack, n, strings.Join(parts, "; "))
}

// why says, in plain words, why nothing was uploaded.
func (w *syncWait) why(s uploader.Snapshot) string {
	switch {
	case w.d.queue.WriteError() != nil:
		return w.d.queue.WriteError().Error()
	case s.Health != uploader.HealthOK && s.Detail != "":
		return s.Detail
	case s.LastError != "":
		return "the last attempt failed: " + s.LastError
	}
	return "no upload finished; see the log"
}

// interrupted is Sync's answer when ctx ended: an error saying how much
// was left, or nil when nothing was.
func (w *syncWait) interrupted() error {
	c, ws := w.d.queue.Counts(), w.d.watcher.Status()
	if ws.Scans == 0 {
		return fmt.Errorf("%w before the first scan finished: run sync again to upload the rest", ErrInterrupted)
	}
	left := c.Queued + c.Active + ws.Pending
	acts := w.d.queue.ActionCounts().Pending
	switch {
	case left == 0 && acts == 0:
		return nil
	case left == 0:
		return fmt.Errorf("%w with every file uploaded but %d after-upload action(s) (watch.after_upload = %q) not carried out: "+
			"run sync again, or start the service, to carry them out", ErrInterrupted, acts, w.d.cfg.Watch.AfterUpload)
	}
	return fmt.Errorf("%w with %d file(s) left (%d queued, %d uploading, %d settling): run sync again, or start the service, to upload them",
		ErrInterrupted, left, c.Queued, c.Active, ws.Pending)
}

// dirsReadable reports whether every watched folder that exists can be
// listed by this process.
func (d *Daemon) dirsReadable() bool {
	for _, dir := range d.cfg.Watch.Dirs {
		f, err := os.Open(filepath.Join(d.cfg.Watch.Root, filepath.FromSlash(dir)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false
		}
		_, err = f.Readdirnames(1)
		f.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return false
		}
	}
	return true
}
