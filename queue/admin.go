package queue

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Counts are the number of jobs and bytes by state, kept up to date by
// every change rather than recounted.
type Counts struct {
	Queued, Active, Done, Failed, Gone  int
	QueuedBytes, ActiveBytes, DoneBytes int64
	// Missing counts the Done jobs whose file the last full scan did not
	// find (Prune); they are in Done as well, and kept for KeepMissing.
	Missing int
	// Verified counts the Done jobs by how their delivery was verified
	// (Done's Delivery); they add up to Done.
	Verified VerifiedCounts
}

// Counts returns the current counts.
func (q *Queue) Counts() Counts {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.counts
}

// NotifyIdle makes the queue send on c, without blocking, each time a
// change leaves nothing Queued or Active where there was some: the last
// job's outcome, or its record forgotten. A send that would block is
// dropped, as with signal.Notify, so c should have room for one. A later
// call replaces c; nil stops the sends. Sync waits on it, to end once its
// work is done rather than at its next look.
func (q *Queue) NotifyIdle(c chan<- struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.idle = c
}

// maybeIdle tells NotifyIdle's channel when a whole change (never the
// first half of one: account's removal before its addition) took the
// queue from work Queued or Active to none. q.mu held.
func (q *Queue) maybeIdle() {
	busy := q.counts.Queued+q.counts.Active > 0
	was := q.busy
	q.busy = busy
	if busy || !was {
		return
	}
	signal(q.hurry) // the last outcome: commit it without OutcomeGap (writer.go)
	if q.idle != nil {
		signal(q.idle)
	}
}

// Failure is a failed job as the status shows it.
type Failure struct {
	Path, Error string
	At          time.Time // when it failed
	Attempts    int
	Action      Action // ActionFailures: the after-upload action that failed; ActionKeep for an upload
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
		out = append(out, Failure{Path: e.Path, Error: e.lastError(), At: e.At, Attempts: e.Attempts})
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
			e.Attempts = 0
			e.setLastError("")
			e.setNotBefore(time.Time{})
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
