package watcher

// The open-writer check as the loop runs it: the inotify book (Linux, event
// mode) beside the per-OS writers function (/proc walk, share-mode open).
// See "Open writers per OS" in doc.go.

// openBook starts the inotify bookkeeping beside a new event source.
func (l *loop) openBook() {
	b, err := l.w.newBook()
	if err != nil {
		l.w.log.Warn("open-writer bookkeeping unavailable", "error", err, "fix", bookHelp(err))
		return
	}
	l.book = b
}

// closeBook stops the bookkeeping; it comes back with the event source.
func (l *loop) closeBook() {
	l.book.close()
	l.book = nil
}

// dropBook gives up the bookkeeping after it failed, until the event
// source restarts; events go on.
func (l *loop) dropBook(err error) {
	l.closeBook()
	l.w.log.Warn("open-writer bookkeeping off", "error", err, "fix", bookHelp(err))
}

// bookLost handles lost bookkeeping events: an overflow (the marks were
// dropped; rescan, as for lost file events) or a dead reader.
func (l *loop) bookLost() {
	if err := l.book.err(); err != nil {
		l.dropBook(err)
		return
	}
	l.w.log.Warn("open-writer events overflowed; rescanning",
		"consequence", "files written before the overflow are judged by settle and /proc until their next write")
	l.nextScan = l.now()
}

// writingNow splits due files by the book: marks those it knows are being
// written and returns the candidates left for the writers function, with
// their indexes in ready.
func (l *loop) writingNow(ready []*fileState, held []bool) ([]candidate, []int) {
	cands := make([]candidate, 0, len(ready))
	idx := make([]int, 0, len(ready))
	for i, st := range ready {
		if l.book != nil && l.book.writingAt(l.abs(st.diskPath())) {
			held[i] = true
			continue
		}
		cands = append(cands, candidate{rel: st.diskPath(), dev: st.dev, ino: st.ino})
		idx = append(idx, i)
	}
	return cands, idx
}

// warnIfBlind says once per Run, with the consequence and the fix, that the
// check cannot see other users' writers. A source restart that is only
// waiting does not count: the book comes back with it.
func (l *loop) warnIfBlind() {
	if l.warnedBlind || !l.restartAt.IsZero() {
		return
	}
	desc, fix := l.writerCheck()
	if fix == "" {
		return
	}
	l.warnedBlind = true
	l.w.log.Warn("open-writer check cannot see other users' writers",
		"writer_check", desc,
		"consequence", "a file that another user's program (a render running as root, say) keeps open while it pauses longer than settle ("+
			l.w.opts.Settle.String()+") may be uploaded before it is finished",
		"fix", fix)
}

// raiseSettle is the fix that always applies.
const raiseSettle = "raise settle above the longest pause the render tool makes while writing"
