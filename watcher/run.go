package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/text/unicode/norm"
)

// loop is the state of one Run. Only Run's goroutine touches it.
type loop struct {
	w *Watcher
	h Handler
	t *tracker

	src     eventSource       // nil in poll mode and while a restart waits
	book    *book             // open-writer bookkeeping; nil without src, and off Linux
	seesAll bool              // the writers function sees other users' processes
	mode    string            // reported in Status.Mode
	dirs    map[string]bool   // on-disk folders seen (and, with src, watched)
	missing map[string]string // watched dir → why it cannot be read
	devs    map[string]uint64 // watched dir → its device at the last scan that read it
	empty   map[string]int    // watched dir found empty after holding this many files, until it holds some again
	away    map[string]string // watched dir → DirInfo.Suspect of the last scan, while not ""
	probs   *problems         // paths held back until fixed
	srcErr  string            // event source failure, while restarting
	limit   string            // why events were given up for polling
	problem string            // last Status.Error, to log changes once

	warnedBlind bool // the writer check's blindness was logged

	nextScan    time.Time
	nextRecheck time.Time
	restartAt   time.Time // zero unless a source restart waits
	backoff     time.Duration
	srcUp       time.Time
	lastCheck   int64 // Unix ns of the last open-writer check, 0 before any
}

const (
	minBackoff = time.Second
	maxBackoff = time.Minute
)

// Run watches until ctx is cancelled or the handler fails. It returns
// ctx.Err() on cancel, or the handler's error. Run must not be called
// concurrently with itself.
func (w *Watcher) Run(ctx context.Context, h Handler) error {
	probs := newProblems(w.log)
	l := &loop{
		w: w, h: h, t: newTracker(w.opts.Settle, probs), probs: probs,
		dirs: make(map[string]bool), missing: make(map[string]string),
		devs: make(map[string]uint64), empty: make(map[string]int), away: make(map[string]string),
		backoff: minBackoff, seesAll: w.seesAll(),
	}
	defer l.closeSource()
	alive := make(chan struct{})
	w.setAlive(alive)
	defer func() { w.setAlive(nil); close(alive) }()
	l.startSource()
	l.warnIfBlind()
	if err := l.fullScan(ctx); err != nil {
		return err
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		l.publish()
		l.resetTimer(timer)
		if err := l.step(ctx, timer.C); err != nil {
			return err
		}
	}
}

// step waits for one thing to happen and handles it.
func (l *loop) step(ctx context.Context, timer <-chan time.Time) error {
	var events <-chan fsnotify.Event
	var errs <-chan error
	if l.src != nil {
		events, errs = l.src.Events(), l.src.Errors()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ev, ok := <-events:
		if !ok {
			l.sourceFailed(errors.New("event channel closed"))
			return nil
		}
		l.onEvent(ctx, ev)
		return nil
	case err, ok := <-errs:
		if !ok {
			err = errors.New("error channel closed")
		}
		l.onError(err)
		return nil
	case <-l.book.lostC():
		l.bookLost()
		return nil
	case p := <-l.w.forget:
		l.forgot(p)
		return nil
	case r := <-l.w.explain:
		l.explained(r)
		return nil
	case <-timer:
	case <-l.w.tick:
	}
	return l.tick(ctx)
}

func (l *loop) now() time.Time { return l.w.opts.Now() }

func (l *loop) abs(rel string) string {
	return filepath.Join(l.w.root, filepath.FromSlash(rel))
}

func nfc(s string) string { return norm.NFC.String(s) }

func nfd(s string) string { return norm.NFD.String(s) }

// resetTimer arms the one timer for the earliest of: the next pending file,
// the next scan, the next look for missing dirs, a source restart.
func (l *loop) resetTimer(t *time.Timer) {
	wake := l.nextScan
	if len(l.t.recheck) > 0 {
		wake = l.now()
	}
	if due, ok := l.t.next(); ok && due < wake.UnixNano() {
		wake = time.Unix(0, max(due, l.nextCheck()))
	}
	if len(l.missing) > 0 && l.nextRecheck.Before(wake) {
		wake = l.nextRecheck
	}
	if !l.restartAt.IsZero() && l.restartAt.Before(wake) {
		wake = l.restartAt
	}
	t.Reset(max(wake.Sub(l.now()), 0))
}

// tick does whatever is due: restart, scans, settle checks.
func (l *loop) tick(ctx context.Context) error {
	now := l.now()
	if !l.restartAt.IsZero() && !now.Before(l.restartAt) {
		l.restartSource(now)
	}
	if !now.Before(l.nextScan) || (len(l.missing) > 0 && !now.Before(l.nextRecheck) && l.anyBack()) {
		if err := l.fullScan(ctx); err != nil {
			return err
		}
	}
	if len(l.missing) > 0 && !now.Before(l.nextRecheck) {
		l.nextRecheck = now.Add(l.w.recheck)
	}
	return l.settle(ctx)
}

// scanInterval is the rescan period; without events it is the poll interval.
func (l *loop) scanInterval() time.Duration {
	if l.src == nil {
		return l.w.opts.PollInterval
	}
	return l.w.opts.Rescan
}

// publish copies the loop's state into Status.
func (l *loop) publish() {
	p := l.problemText()
	if p != l.problem {
		if p != "" {
			l.w.log.Warn("watcher problem", "error", p)
		} else {
			l.w.log.Info("watcher healthy again")
		}
		l.problem = p
	}
	l.warnIfBlind()
	check, _ := l.writerCheck()
	pending := l.t.pending()
	var list []Problem
	more, dirty := 0, l.probs.dirty
	if dirty {
		list, more = l.probs.snapshot()
	}
	l.w.setStatus(func(s *Status) {
		s.Mode, s.Error, s.Pending, s.WriterCheck = l.mode, p, pending, check
		if dirty {
			s.Problems, s.MoreProblems = list, more
		}
	})
}

func (l *loop) problemText() string {
	var parts []string
	if l.limit != "" {
		parts = append(parts, l.limit)
	}
	if l.srcErr != "" {
		parts = append(parts, l.srcErr)
	}
	for _, m := range []map[string]string{l.missing, l.away} {
		for _, d := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, m[d])
		}
	}
	return strings.Join(parts, "; ")
}

// checkDir lstats a watched dir and tells why it cannot be scanned, if it
// cannot.
func (l *loop) checkDir(d string) (fs.FileInfo, error) {
	abs := l.abs(d)
	fi, err := l.w.lstat(abs)
	switch {
	case err != nil:
		if hint := l.w.watchedHint(abs, err); hint != "" && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("watched folder %s cannot be read (re-checked every %s): %s", abs, l.w.recheck, hint)
		}
		return nil, fmt.Errorf("watched folder %s is missing or unreadable (re-checked every %s): %w", abs, l.w.recheck, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("watched folder %s is a symbolic link; links are not followed", abs)
	case !fi.IsDir():
		return nil, fmt.Errorf("watched folder %s is not a folder", abs)
	}
	return fi, nil
}

// anyBack reports whether a missing watched dir has come back.
func (l *loop) anyBack() bool {
	for d := range l.missing {
		if _, err := l.checkDir(d); err == nil {
			return true
		}
	}
	return false
}
