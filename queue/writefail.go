package queue

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Write failures (doc.go, Write failures). A write that fails leaves its
// changes in memory, where they already are: the batch goes back in front
// of what was submitted since, every caller waiting on a write is released
// as if it had succeeded, Lease hands out nothing, and the writer tries
// again after retryMin, doubling to retryMax. The first write that
// succeeds records everything kept, in the order it happened, and leasing
// resumes.

const (
	retryMin = time.Second
	retryMax = 30 * time.Second
)

// WriteError says why the queue file cannot be written, or returns nil
// while writes succeed. While it is not nil, Lease hands out no job, and
// Enqueue, Done, Retry, Fail, Gone, Changed, Requeue and Prune succeed in
// memory; they are recorded by the first write that succeeds, which the
// queue retries by itself. The error is worded for the status, e.g.
// "cannot write queue.db in /var/lib/odailies-uploader: no space left on
// device: free space there; uploads resume by themselves", and wraps the
// system's error.
func (q *Queue) WriteError() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.werr
}

// writeError is a failed write as the status says it.
type writeError struct {
	path string
	err  error
}

func newWriteError(path string, err error) error { return &writeError{path: path, err: err} }

func (e *writeError) Error() string {
	return fmt.Sprintf("cannot write %s in %s: %s: %s",
		filepath.Base(e.path), filepath.Dir(e.path), reason(e.err), advice(e.err))
}

func (e *writeError) Unwrap() error { return e.err }

// reason is the system's words for err without the path bbolt's write
// repeats ("write /var/lib/…/queue.db: no space left on device").
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// advice says what frees the queue, by the kind of failure.
func advice(err error) string {
	const resume = "; uploads resume by themselves"
	switch {
	case errors.Is(err, errPanicked):
		return "the file is damaged: stop the uploader, then move it aside (the uploader will re-send what it had recorded) or restore a copy"
	case diskFull(err):
		return "free space there" + resume
	case errors.Is(err, syscall.EROFS):
		return "the file system is read-only: make it writable" + resume
	case errors.Is(err, fs.ErrPermission):
		return "let the service's user write there" + resume
	}
	return "check that disk" + resume
}

// diskFull reports a full file system or quota. bbolt words some of its
// errors with %s rather than %w ("file resize error: …"), so the text is
// checked as well.
func diskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
		return true
	}
	// ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL, which syscall does not name.
	return runtime.GOOS == "windows" && (errors.Is(err, syscall.Errno(39)) || errors.Is(err, syscall.Errno(112)))
}

// keep handles a failed write: the batch goes back in front of what came
// since, merged into one op; every waiting caller is released. q.mu held.
func (q *Queue) keep(batch []*op, err error) {
	if q.werr == nil {
		q.log.Error("queue write failed; changes kept in memory, no job is leased until a write succeeds",
			"err", err, "ops", len(batch)+len(q.pending))
	} else {
		q.log.Debug("queue write failed again", "err", err)
	}
	q.werr = newWriteError(q.db.Path(), err)
	all := append(batch, q.pending...)
	for _, o := range all {
		o.release(nil)
	}
	q.pending = []*op{compact(all)}
}

// written ends a write that succeeded: its callers are released, and if
// writes had been failing, leasing resumes. q.mu held.
func (q *Queue) written(batch []*op) {
	for _, o := range batch {
		o.release(nil)
	}
	if q.werr != nil {
		q.log.Info("queue write succeeded again; leasing resumes")
		q.werr = nil
		q.broadcast()
	}
}

// compact merges ops into one released op that writes each bucket key
// once, with its last value (or its deletion). All pending writes go into
// one transaction, so the end state is the same as writing them in order;
// what memory holds while writes fail is one mutation per key changed.
func compact(ops []*op) *op {
	type key struct{ bucket, key string }
	at := make(map[key]int)
	var muts []mutation
	for _, o := range ops {
		for _, m := range o.muts {
			k := key{string(m.bucket), string(m.key)}
			if i, ok := at[k]; ok {
				muts[i] = m
				continue
			}
			at[k] = len(muts)
			muts = append(muts, m)
		}
	}
	return &op{muts: muts, done: make(chan error, 1), released: true}
}
