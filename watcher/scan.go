package watcher

import (
	"context"
	"io/fs"
	"strings"
)

// walk collects what a scan saw.
type walk struct {
	ctx    context.Context // checked before each folder: a cancelled walk stops there
	now    int64
	seen   map[string]struct{} // NFC paths of eligible files; nil outside full scans
	dirs   map[string]bool     // on-disk folders visited
	failed []string            // NFC folders that could not be read
}

// fullScan walks every watched dir, then prunes what is gone and tells the
// handler. Watches are added before each folder is read, so a file created
// during the scan is seen by one or the other. A scan cut short by ctx
// returns ctx's error and neither prunes nor reports: a partial scan taken
// for a full one would forget every file it did not reach.
func (l *loop) fullScan(ctx context.Context) error {
	start := l.now()
	wk := &walk{ctx: ctx, now: start.UnixNano(), seen: make(map[string]struct{}, len(l.t.files)), dirs: make(map[string]bool, len(l.dirs))}
	if l.src != nil {
		_ = l.src.Add(l.w.root) // to see watched dirs come and go; fails while the root is missing
	}
	var readable []string
	for _, d := range l.w.opts.Dirs {
		if err := l.checkDir(d); err != nil {
			l.missing[d] = err.Error()
			continue
		}
		delete(l.missing, d)
		l.walkDir(d, nfc(d), wk)
		if err := ctx.Err(); err != nil {
			return err
		}
		readable = append(readable, d)
	}
	l.prune(readable, wk)
	l.nextScan = start.Add(l.scanInterval())
	return l.reportScan(ctx, readable, wk)
}

// walkDir watches and reads one folder, then descends. It does nothing once
// the walk's context is done, so a scan of a huge or slow tree ends within
// one folder's read of a stop.
func (l *loop) walkDir(rel, nrel string, wk *walk) {
	if wk.ctx.Err() != nil {
		return
	}
	abs := l.abs(rel)
	l.watch(rel, abs)
	wk.dirs[rel] = true
	l.dirs[rel] = true
	entries, err := l.w.readDir(abs)
	if err != nil {
		l.w.log.Warn("cannot read folder", "path", abs, "error", err)
		wk.failed = append(wk.failed, nrel)
		return
	}
	for _, e := range entries {
		l.visit(rel, nrel, e, wk)
	}
}

// visit handles one directory entry. Symbolic links and other non-regular
// files are never followed or emitted.
func (l *loop) visit(dir, ndir string, e fs.DirEntry, wk *walk) {
	name := e.Name()
	nname := nfc(name)
	rel, nrel := dir+"/"+name, ""
	if ndir == dir && nname == name {
		nrel = rel // the common case: no second copy of the path
	} else {
		nrel = ndir + "/" + nname
	}
	switch t := e.Type(); {
	case t.IsDir():
		if !l.w.rules.skipDir(nrel, nname) {
			l.walkDir(rel, nrel, wk)
		}
	case t.IsRegular():
		if l.w.rules.skipFile(nrel, nname) {
			return
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			return // gone since the folder was read
		}
		l.t.observe(observe(nrel, rel, info), wk.now)
		if wk.seen != nil {
			wk.seen[nrel] = struct{}{}
		}
	}
}

func observe(nrel, rel string, info fs.FileInfo) observation {
	dev, ino := fileID(info)
	return observation{path: nrel, disk: rel, size: info.Size(), mtime: info.ModTime().UnixNano(), dev: dev, ino: ino}
}

// watch adds an fsnotify watch for a folder not watched yet.
func (l *loop) watch(rel, abs string) {
	if l.src == nil || l.dirs[rel] {
		return
	}
	if err := l.src.Add(abs); err != nil {
		if help, ok := limitHelp(err); ok {
			l.giveUpEvents(err, help)
			return
		}
		l.w.log.Debug("cannot watch folder", "path", abs, "error", err)
		return
	}
	if err := l.book.add(abs); err != nil {
		l.dropBook(err)
	}
}

// prune forgets files and folders a full scan no longer found, but only
// under readable watched dirs and never under a folder it could not read.
func (l *loop) prune(readable []string, wk *walk) {
	for p := range l.t.files {
		if _, ok := wk.seen[p]; ok || !underAny(p, readable) || underAny(p, wk.failed) {
			continue
		}
		l.t.forget(p)
	}
	for d := range l.dirs {
		if !wk.dirs[d] && underAny(d, readable) {
			l.unwatch(d)
		}
	}
}

func (l *loop) unwatch(rel string) {
	delete(l.dirs, rel)
	if l.src != nil {
		_ = l.src.Remove(l.abs(rel)) // the kernel may have dropped it already
	}
	l.book.remove(l.abs(rel))
}

// underAny reports whether p is one of dirs or below one of them.
func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || (strings.HasPrefix(p, d) && p[len(d)] == '/') {
			return true
		}
	}
	return false
}

// reportScan hands the scan to the handler and counts it once it returns.
func (l *loop) reportScan(ctx context.Context, readable []string, wk *walk) error {
	at := l.now()
	seen, failed := wk.seen, wk.failed
	present := func(p string) bool {
		_, ok := seen[p]
		return ok || underAny(p, failed)
	}
	l.publish()
	if err := l.h.Scanned(ctx, Scan{At: at, Present: present, Dirs: readable}); err != nil {
		return err
	}
	pending := l.t.pending()
	l.w.setStatus(func(s *Status) {
		s.Scans++
		s.LastScan = at
		s.Pending = pending
	})
	return nil
}
