package watcher

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Events are hints: each one leads to an lstat of the path named, and the
// answer, not the event's kind, decides what happens.

// onEvent handles one fsnotify event. A new folder is walked under ctx.
func (l *loop) onEvent(ctx context.Context, ev fsnotify.Event) {
	l.w.log.Debug("file event", "op", ev.Op, "path", ev.Name)
	if ev.Name == l.w.root {
		l.rootEvent()
		return
	}
	rel, top, ok := l.relOf(ev.Name)
	if !ok {
		return
	}
	nrel := nfc(rel)
	if l.probs.clashAt(nrel) {
		l.rescanSoon() // a clash ends, or grows, only as a look at the whole folder shows
		return
	}
	info, err := os.Lstat(ev.Name)
	if errors.Is(err, fs.ErrPermission) {
		l.rescanSoon() // a folder on the way may not be entered: not gone, a problem a scan will name
		return
	}
	if err != nil {
		l.gone(rel, top)
		return
	}
	switch {
	case rel == top:
		if _, wasMissing := l.missing[top]; wasMissing {
			l.nextScan = l.now() // a watched dir came back: scan it now
		}
	case info.IsDir():
		if l.w.rules.skipDirPath(nfc(top), nrel) {
			return
		}
		wk := &walk{ctx: ctx, now: l.now().UnixNano(), dirs: make(map[string]bool)}
		if !l.dirTwin(rel, nrel, wk) {
			l.walkDir(rel, nrel, wk)
		}
	case info.Mode().IsRegular():
		if !l.w.rules.skipPath(nfc(top), nrel) && !l.twin(rel, nrel, info) {
			l.t.observe(l.observe(nrel, rel, info), l.now().UnixNano())
		}
	}
}

// rootEvent handles an event for the root itself: renamed or removed, it
// takes every watched dir with it.
func (l *loop) rootEvent() {
	for _, d := range l.w.opts.Dirs {
		if _, err := l.checkDir(d); err != nil {
			l.dirMissing(d, err.Error())
		}
	}
}

// relOf maps an absolute path to its slash-separated path relative to the
// root and the watched dir it lies in.
func (l *loop) relOf(name string) (rel, top string, ok bool) {
	prefix := l.w.root + string(filepath.Separator)
	if !strings.HasPrefix(name, prefix) {
		return "", "", false
	}
	rel = filepath.ToSlash(name[len(prefix):])
	for _, d := range l.w.opts.Dirs {
		if rel == d || (strings.HasPrefix(rel, d) && rel[len(d)] == '/') {
			return rel, d, true
		}
	}
	return "", "", false
}

// gone handles a path that no longer exists: a file, a folder, or a watched
// dir itself (an unplugged drive). What was below is forgotten, emitted
// records included: the file is emitted again if it comes back, and the
// caller's records of what it uploaded keep it from being sent twice.
func (l *loop) gone(rel, top string) {
	if rel == top {
		if _, err := l.checkDir(top); err != nil {
			l.dirMissing(top, err.Error())
		} else {
			l.dirGone(top) // replaced at once: read the new one
			l.nextScan = l.now()
		}
		return
	}
	nrel := nfc(rel)
	if l.dirs[rel] {
		l.unwatchUnder(rel)
		l.t.forgetUnder(nrel)
		l.probs.dropUnder(nrel)
		return
	}
	l.t.forget(nrel)
}

func (l *loop) unwatchUnder(rel string) {
	for d := range l.dirs {
		if underAny(d, []string{rel}) {
			l.unwatch(d)
		}
	}
}

// onError handles an fsnotify error: an overflow means events were lost, so
// rescan now; a limit (kqueue opening a new file's descriptor) means poll;
// anything else restarts the source after a backoff.
func (l *loop) onError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		l.w.log.Warn("file events overflowed; rescanning", "error", err)
		l.nextScan = l.now()
		return
	}
	if help, ok := limitHelp(err); ok {
		l.giveUpEvents(err, help)
		return
	}
	l.sourceFailed(err)
}

func (l *loop) startSource() {
	if l.w.opts.Poll {
		l.mode = "poll"
		l.nextScan = l.now()
		return
	}
	src, err := l.w.newSource()
	if help, ok := limitHelp(err); ok {
		l.giveUpEvents(err, help)
		return
	}
	if err != nil {
		l.mode, l.limit = "poll (fallback)", "file events unavailable, polling: "+err.Error()
		return
	}
	l.src, l.mode, l.srcUp = src, "events", l.now()
	l.openBook()
}

func (l *loop) closeSource() {
	if l.src != nil {
		_ = l.src.Close()
		l.src = nil
	}
	l.closeBook()
	clear(l.dirs) // watches are gone with the source
}

// sourceFailed closes the source and schedules a restart with backoff.
// Until then the tree is scanned every poll interval.
func (l *loop) sourceFailed(err error) {
	now := l.now()
	if now.Sub(l.srcUp) > maxBackoff {
		l.backoff = minBackoff // it had been healthy for a while
	}
	l.closeSource()
	l.srcErr = "file events failed (" + err.Error() + "); restarting in " + l.backoff.String()
	l.restartAt = now.Add(l.backoff)
	l.backoff = min(2*l.backoff, maxBackoff)
	if next := now.Add(l.w.opts.PollInterval); next.Before(l.nextScan) {
		l.nextScan = next
	}
}

func (l *loop) restartSource(now time.Time) {
	src, err := l.w.newSource()
	if help, ok := limitHelp(err); ok {
		l.giveUpEvents(err, help)
		return
	}
	if err != nil {
		l.sourceFailed(err)
		return
	}
	l.w.log.Info("file events restarted")
	l.src, l.srcErr, l.restartAt, l.srcUp = src, "", time.Time{}, now
	l.openBook()
	l.nextScan = now // re-add every watch and catch what was missed
}

// giveUpEvents closes the event source for good, because a kernel limit
// was reached, and polls from now on. help names the limit and how to raise
// it; it stays in Status.Error until restart. Giving up at once, rather than
// after the walk that hit the limit, hands the descriptors back to the rest
// of the walk (kqueue holds one per file).
func (l *loop) giveUpEvents(err error, help string) {
	l.closeSource()
	l.restartAt, l.srcErr = time.Time{}, ""
	l.mode, l.limit = "poll (fallback)", help
	l.w.log.Warn("falling back to polling", "error", err, "limit", help, "poll_interval", l.w.opts.PollInterval)
	if next := l.now().Add(l.w.opts.PollInterval); next.Before(l.nextScan) {
		l.nextScan = next
	}
}
