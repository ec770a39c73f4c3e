package queue

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"
)

// Counts are the number of jobs and bytes by state, kept up to date by
// every change rather than recounted.
type Counts struct {
	Queued, Active, Done, Failed, Gone  int
	QueuedBytes, ActiveBytes, DoneBytes int64
}

// Counts returns the current counts.
func (q *Queue) Counts() Counts {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.counts
}

// Failure is a failed job as the status shows it.
type Failure struct {
	Path, Error string
	At          time.Time // when it failed
	Attempts    int
}

// Failures returns up to limit failed jobs, most recent first; limit <= 0
// means all.
func (q *Queue) Failures(limit int) ([]Failure, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, ErrClosed
	}
	out := make([]Failure, 0, len(q.failed))
	for e := range q.failed {
		out = append(out, Failure{Path: e.Path, Error: e.LastError, At: e.At, Attempts: e.Attempts})
	}
	slices.SortFunc(out, func(a, b Failure) int {
		return cmp.Or(b.At.Compare(a.At), strings.Compare(a.Path, b.Path))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Requeue puts failed jobs back in the queue with their attempts reset:
// those at paths, or all failed jobs when paths is empty. Paths that are not
// failed are skipped. It returns how many were requeued.
func (q *Queue) Requeue(paths []string) (n int, err error) {
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return 0, err
	}
	targets := paths
	if len(paths) == 0 {
		for e := range q.failed {
			targets = append(targets, e.Path)
		}
	}
	now := q.now()
	var muts []mutation
	for _, p := range targets {
		if e := q.byPath[p]; e != nil && e.State == Failed {
			e.Attempts, e.LastError, e.NotBefore = 0, "", time.Time{}
			q.requeue(e, now)
			muts = append(muts, putJob(e))
		}
	}
	o := q.submit(muts)
	q.mu.Unlock()
	if err := o.wait(); err != nil {
		return 0, err
	}
	return len(muts), nil
}

// pruneCandidate is a job Prune may drop, identified by version.
type pruneCandidate struct {
	path string
	id   uint64
}

// Prune runs after a full scan: it drops the records, in any state but
// Active, whose path starts with one of the under prefixes (e.g.
// "_graded/") and for which keep returns false. keep is called without the
// queue's lock held. An empty under drops nothing.
func (q *Queue) Prune(keep func(path string) bool, under []string) (removed int, err error) {
	if keep == nil {
		return 0, errors.New("prune: nil keep function")
	}
	cands, err := q.pruneCandidates(under)
	if err != nil {
		return 0, err
	}
	drop := cands[:0]
	for _, c := range cands {
		if !keep(c.path) {
			drop = append(drop, c)
		}
	}
	return q.drop(drop)
}

func (q *Queue) pruneCandidates(under []string) ([]pruneCandidate, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.usable(); err != nil {
		return nil, err
	}
	var out []pruneCandidate
	for p, e := range q.byPath {
		if e.State != Active && hasAnyPrefix(p, under) {
			out = append(out, pruneCandidate{path: p, id: e.id})
		}
	}
	return out, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// drop removes the candidates whose version is still current and not
// leased: a job enqueued or leased since the scan is left alone.
func (q *Queue) drop(cands []pruneCandidate) (int, error) {
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return 0, err
	}
	var muts []mutation
	n := 0
	for _, c := range cands {
		e := q.byPath[c.path]
		if e == nil || e.id != c.id || e.State == Active {
			continue
		}
		q.forget(e)
		muts = append(muts, delJob(e.id), delPath(e.Path))
		n++
	}
	o := q.submit(muts)
	q.mu.Unlock()
	if err := o.wait(); err != nil {
		return 0, err
	}
	return n, nil
}
