package watcher

import (
	"context"
	"errors"
	"io/fs"
	"strings"
)

// walk collects what a scan saw.
type walk struct {
	ctx    context.Context // checked before each folder: a cancelled walk stops there
	now    int64
	seen   map[string]struct{} // NFC paths of eligible files; nil outside full scans
	dirs   map[string]bool     // on-disk folders visited
	failed []string            // NFC folders that could not be read (or clash): their files count as present
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
	l.probs.gen++
	var readable []string
	var infos []DirInfo
	for _, d := range l.w.opts.Dirs {
		fi, err := l.checkDir(d)
		if err != nil {
			l.dirMissing(d, err.Error())
			continue
		}
		delete(l.missing, d)
		dev := l.volume(d, fi)
		n := len(wk.seen)
		l.walkDir(d, nfc(d), wk)
		if err := ctx.Err(); err != nil {
			return err
		}
		readable = append(readable, d)
		infos = append(infos, DirInfo{Dir: d, Device: dev, Files: len(wk.seen) - n})
	}
	held := l.prune(readable, infos, wk)
	l.probs.sweep(readable)
	l.judge(infos, held)
	l.nextScan = start.Add(l.scanInterval())
	return l.reportScan(ctx, prunable(infos), infos, wk)
}

// prunable lists the dirs a caller may prune under: those that hold files
// and are not suspect.
func prunable(infos []DirInfo) []string {
	var out []string
	for _, in := range infos {
		if in.Files > 0 && in.Suspect == "" {
			out = append(out, in.Dir)
		}
	}
	return out
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
		l.unreadable(nrel, abs, err, wk)
		return
	}
	clash := clashes(entries)
	for _, e := range entries {
		if !l.visit(rel, nrel, e, clash, wk) {
			l.unreadable(nrel, abs, fs.ErrPermission, wk)
			return
		}
	}
	if pr, ok := l.probs.m[nrel]; ok && pr.kind == deniedDir {
		l.probs.drop(nrel)
	}
}

// unreadable notes a folder that could not be read: its files count as
// present, and unless it went away meanwhile it is a problem.
func (l *loop) unreadable(nrel, abs string, err error, wk *walk) {
	wk.failed = append(wk.failed, nrel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.w.log.Debug("folder gone while read", "path", abs)
	default:
		text := l.w.hint(abs, true, err) // permission, macOS privacy, Windows long paths
		if text == "" {
			text = readErrText(err)
		}
		l.probs.add(nrel, deniedDir, text)
	}
}

// visit handles one directory entry. Symbolic links and other non-regular
// files are never followed or emitted. It returns false when the entry
// cannot be looked at for want of permission on its folder (read but not
// search permission).
func (l *loop) visit(dir, ndir string, e fs.DirEntry, clash map[string][]string, wk *walk) bool {
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
		if l.w.rules.skipDir(nrel, nname) {
			return true
		}
		if l.held(clash, true, nrel, nname, wk) {
			return true
		}
		l.walkDir(rel, nrel, wk)
	case t.IsRegular():
		if l.w.rules.skipFile(nrel, nname) {
			return true
		}
		if l.held(clash, false, nrel, nname, wk) {
			return true
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrPermission) {
			return false
		}
		if err != nil || !info.Mode().IsRegular() {
			return true // gone since the folder was read
		}
		l.t.observe(l.observe(nrel, rel, info), wk.now)
		if wk.seen != nil {
			wk.seen[nrel] = struct{}{}
		}
	}
	return true
}

func (l *loop) observe(nrel, rel string, info fs.FileInfo) observation {
	dev, ino, mayRead := fileFacts(info, l.w.me)
	return observation{path: nrel, disk: rel, size: info.Size(), mtime: info.ModTime().UnixNano(), dev: dev, ino: ino, mayRead: mayRead}
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
		if fix := l.w.hint(abs, true, err); fix != "" {
			// Its files are still found, by the rescan: late, so say why.
			l.w.log.Warn("cannot watch folder; its new files are found at the next rescan", "path", abs, "error", err, "fix", fix)
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
// It returns, for each watched dir in which the scan found no file, how
// many files the watcher knew of there before the scan.
func (l *loop) prune(readable []string, infos []DirInfo, wk *walk) []int {
	held := make([]int, len(infos))
	for p := range l.t.files {
		if _, ok := wk.seen[p]; ok || underAny(p, wk.failed) {
			continue
		}
		i := topOf(p, readable)
		if i < 0 {
			continue
		}
		if infos[i].Files == 0 {
			held[i]++
		}
		l.t.forget(p)
	}
	for d := range l.dirs {
		if !wk.dirs[d] && underAny(d, readable) {
			l.unwatch(d)
		}
	}
	return held
}

func (l *loop) unwatch(rel string) {
	delete(l.dirs, rel)
	if l.src != nil {
		_ = l.src.Remove(l.abs(rel)) // the kernel may have dropped it already
	}
	l.book.remove(l.abs(rel))
}

// underAny reports whether p is one of dirs or below one of them.
func underAny(p string, dirs []string) bool { return topOf(p, dirs) >= 0 }

// topOf returns the index of the first of dirs that p is or is below, or -1.
func topOf(p string, dirs []string) int {
	for i, d := range dirs {
		if p == d || (strings.HasPrefix(p, d) && p[len(d)] == '/') {
			return i
		}
	}
	return -1
}

// reportScan hands the scan to the handler and counts it once it returns.
func (l *loop) reportScan(ctx context.Context, dirs []string, infos []DirInfo, wk *walk) error {
	at := l.now()
	seen, failed := wk.seen, wk.failed
	present := func(p string) bool {
		_, ok := seen[p]
		return ok || underAny(p, failed)
	}
	l.publish()
	if err := l.h.Scanned(ctx, Scan{At: at, Present: present, Dirs: dirs, DirInfo: infos}); err != nil {
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
