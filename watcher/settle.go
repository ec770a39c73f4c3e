package watcher

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// candidate is a file about to be emitted, for the open-writer check.
type candidate struct {
	rel      string // on-disk, slash-separated, relative to the root
	dev, ino uint64
}

// writerRecheck is how long a file held open by a writer waits before it is
// looked at again.
func (l *loop) writerRecheck() int64 {
	return int64(min(max(l.w.opts.Settle, 200*time.Millisecond), 10*time.Second))
}

// checkGap is the least time between two settle checks. Files falling due
// within it are checked together, so a copy of many files costs one /proc
// walk per gap rather than one per file.
const checkGap = 100 * time.Millisecond

// nextCheck is the earliest time a settle check may run.
func (l *loop) nextCheck() int64 { return l.lastCheck + int64(checkGap) }

// settle emits every due file that is not held open by a writer and is
// unchanged by re-stat, settleChunk at a time.
func (l *loop) settle(ctx context.Context) error {
	now := l.now().UnixNano()
	batch := l.readable(l.t.takeRechecks())
	if l.lastCheck == 0 || now >= l.nextCheck() {
		if due := l.t.popDue(now); len(due) > 0 {
			// The writer check comes first and the re-stat second: a writer
			// that changes the file and closes it between the two is then
			// seen by the re-stat, rather than a stale version being emitted.
			ready := l.readable(l.restat(l.holdOpen(due, now), now))
			if len(batch) == 0 {
				batch = ready // the usual case: no copy
			} else {
				batch = append(batch, ready...)
			}
		}
	}
	if len(batch) == 0 {
		return nil
	}
	for len(batch) > 0 {
		n := min(len(batch), settleChunk)
		files := make([]File, n)
		for i, st := range batch[:n] {
			files[i] = File{Path: st.path, Disk: st.diskPath(), Size: st.size, ModTime: time.Unix(0, st.mtime)}
		}
		if err := l.h.Settled(ctx, files); err != nil {
			return err
		}
		for _, st := range batch[:n] {
			l.t.markEmitted(st)
		}
		batch = batch[n:]
	}
	return nil
}

// settleChunk is the most files one Settled call gets. A first scan
// settles the whole tree in one tick, and its []File (64 bytes a file
// and the handler's own copy) was live all at once beside the tracker:
// 6.4 MB more at the peak of a first sync of 100,000 files. A handler
// error stops Run, so a tick cut between two chunks ends there.
const settleChunk = 512

// restat re-stats each due file. A changed file is scheduled again, a
// vanished one forgotten; the rest are returned.
func (l *loop) restat(due []*fileState, now int64) []*fileState {
	ready := due[:0]
	for _, st := range due {
		if st.fresh {
			st.fresh = false
			ready = append(ready, st)
			continue
		}
		info, err := os.Lstat(l.abs(st.diskPath()))
		switch {
		case err != nil || !info.Mode().IsRegular():
			l.t.forget(st.path)
		case info.Size() != st.size || info.ModTime().UnixNano() != st.mtime:
			l.t.observe(l.observe(st.path, st.diskPath(), info), now)
		default:
			ready = append(ready, st)
		}
	}
	return ready
}

// readable drops the files this process may not open for reading, which
// become problems, and forgets the ones gone. Only files whose mode bits
// deny reading are opened: an ACL or root's privilege may still allow it,
// and files the bits allow cost nothing. A file held back is not pending;
// it is looked at again when next observed (a scan, an event).
func (l *loop) readable(batch []*fileState) []*fileState {
	out := batch[:0]
	for _, st := range batch {
		var err error
		if !st.mayRead {
			err = l.w.canOpen(l.abs(st.diskPath()))
		}
		switch {
		case err == nil:
			if st.problem {
				st.problem = false
				l.probs.drop(st.path)
			}
			out = append(out, st)
		case errors.Is(err, fs.ErrPermission):
			st.problem = true
			l.probs.add(st.path, deniedFile, l.w.hint(l.abs(st.diskPath()), false, err))
		case errors.Is(err, fs.ErrNotExist):
			l.t.forget(st.path)
		default:
			out = append(out, st) // the uploader will say what is wrong with it
		}
	}
	return out
}

// holdOpen asks the book, then the OS, which files are still being
// written. Those wait, up to OpenWriterMax; the rest are returned. The OS
// check uses the inode of the last stat.
func (l *loop) holdOpen(ready []*fileState, now int64) []*fileState {
	if len(ready) == 0 {
		return nil
	}
	held := make([]bool, len(ready))
	if cands, idx := l.writingNow(ready, held); len(cands) > 0 {
		for j, busy := range l.w.writers(l.w.root, cands) {
			held[idx[j]] = held[idx[j]] || busy
		}
	}
	l.lastCheck = now
	batch := ready[:0]
	for i, st := range ready {
		if !held[i] || l.writerTooLong(st, now) {
			batch = append(batch, st)
			continue
		}
		l.t.schedule(st, now+l.writerRecheck())
	}
	return batch
}

// writerTooLong notes a file held open and reports whether it has been held
// longer than OpenWriterMax, in which case it is treated as settled.
func (l *loop) writerTooLong(st *fileState, now int64) bool {
	if st.openSince == 0 {
		st.openSince = now
		l.w.log.Debug("file still open for writing; waiting", "path", st.path)
	}
	if time.Duration(now-st.openSince) < l.w.opts.OpenWriterMax {
		return false
	}
	l.w.log.Warn("file held open for writing too long; treating it as settled",
		"path", st.path, "open_writer_max", l.w.opts.OpenWriterMax)
	return true
}
