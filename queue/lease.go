package queue

import (
	"context"
	"fmt"
	"time"
)

// LeaseOptions select which job Lease may hand out.
type LeaseOptions struct {
	// Class, when not "", limits Lease to jobs of that class (first path
	// segment), which must be one of Options.Priority: a lane kept for
	// thumbnails uses it, so they never wait behind clips of any size.
	// A class that is not there makes Lease fail at once. "" means any
	// class, in priority order.
	Class string
}

// maxReason bounds the stored error text of a job.
const maxReason = 4096

// Lease hands out the next due job: by class priority, FIFO within a class.
// It blocks until one is due, woken by changes that queue jobs and by a
// timer for the earliest retry time only. While writes fail (WriteError)
// it hands out nothing. It returns ctx.Err() when ctx ends and ErrClosed
// when the queue is closed. A lease lives in memory only: the job stays
// Queued on disk until its outcome is written.
func (q *Queue) Lease(ctx context.Context, o LeaseOptions) (Job, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Job{}, err
		}
		j, w, err := q.tryLease(o.Class)
		if err != nil || j.Lease != 0 {
			return j, err
		}
		if err := q.block(ctx, w); err != nil {
			return Job{}, err
		}
	}
}

// waitFor is what a Lease with nothing due waits on.
type waitFor struct {
	wake  <-chan struct{}
	timed bool          // a retry time is pending
	in    time.Duration // until the earliest one
}

// tryLease leases a due job (of class, unless it is ""), or says what to
// wait for.
func (q *Queue) tryLease(class string) (Job, waitFor, error) {
	only := anyRank
	if class != "" {
		r, ok := q.ranks[class]
		if !ok {
			return Job{}, waitFor{}, fmt.Errorf("lease: class %q is not one of the queue's priority classes %q", class, q.priority)
		}
		only = int(r)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.usable(); err != nil {
		return Job{}, waitFor{}, err
	}
	if q.werr != nil {
		// Writes fail: a job leased now could not have its outcome
		// recorded. Wait like an empty queue; the write that succeeds
		// wakes every Lease.
		return Job{}, waitFor{wake: q.wake}, nil
	}
	now := q.now()
	q.idx.promote(now)
	if e := q.idx.take(only); e != nil {
		return q.activate(e, now), waitFor{}, nil
	}
	w := waitFor{wake: q.wake}
	if t, ok := q.idx.next(); ok {
		w.timed, w.in = true, t.Sub(now)
	}
	return Job{}, w, nil
}

// activate leases e. q.mu held.
func (q *Queue) activate(e *entry, now time.Time) Job {
	q.lastLease++
	e.lease = q.lastLease
	q.setState(e, Active, now)
	return Job{
		Item:     Item{Path: e.Path, Disk: e.disk(), Size: e.Size, ModTime: e.ModTime},
		ID:       e.id,
		Attempts: e.Attempts, LastError: e.lastError(), NotBefore: e.notBefore(),
		Lease: e.lease,
	}
}

// block waits for a wake, the earliest retry time, ctx or Close.
func (q *Queue) block(ctx context.Context, w waitFor) error {
	var timer <-chan time.Time
	if w.timed {
		c, stop := q.after(w.in)
		defer stop()
		timer = c
	}
	q.blocked()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return ErrClosed
	case <-w.wake:
	case <-timer:
	}
	return nil
}

// Retry counts a failed attempt and queues j again, not before at.
func (q *Queue) Retry(j Job, at time.Time, reason string) error {
	return q.finish(j, func(e *entry, now time.Time) []mutation {
		e.Attempts = min(e.Attempts+1, maxAttempts)
		e.setLastError(clip(reason))
		e.setNotBefore(canonical(at))
		q.requeue(e, now)
		return []mutation{putJob(e)}
	})
}

// Fail counts a failed attempt and gives up on j until Requeue.
func (q *Queue) Fail(j Job, reason string) error {
	return q.finish(j, func(e *entry, now time.Time) []mutation {
		e.Attempts = min(e.Attempts+1, maxAttempts)
		e.setLastError(clip(reason))
		e.setNotBefore(time.Time{})
		q.setState(e, Failed, now)
		return []mutation{putJob(e)}
	})
}

// Gone records that j's file is missing. If an Enqueue gave the job
// another disk spelling while it was leased, the file was looked for under
// the old one: the job is due again at once instead, as after Release.
func (q *Queue) Gone(j Job) error {
	return q.finish(j, func(e *entry, now time.Time) []mutation {
		e.setNotBefore(time.Time{})
		if e.disk() != j.Disk {
			q.requeue(e, now)
			return nil // on disk it is Queued, with the new spelling (seen)
		}
		q.setState(e, Gone, now)
		return []mutation{putJob(e)}
	})
}

// Release gives j's lease back (shutdown): the job is due at once with its
// attempts unchanged. Nothing is written: on disk the job never stopped
// being Queued.
func (q *Queue) Release(j Job) error {
	return q.finish(j, func(e *entry, now time.Time) []mutation {
		e.setNotBefore(time.Time{})
		q.requeue(e, now)
		return nil
	})
}

// Changed forgets j's version because the file changed during the upload;
// the watcher enqueues the new version once it settles.
func (q *Queue) Changed(j Job) error {
	return q.finish(j, func(e *entry, _ time.Time) []mutation {
		q.forget(e)
		return []mutation{delJob(e.id), delPath(e.Path)}
	})
}

// finish ends j's lease with fn, which changes the entry in memory and
// returns its writes, then waits until they are durable (or kept in
// memory while writes fail).
func (q *Queue) finish(j Job, fn func(e *entry, now time.Time) []mutation) error {
	q.mu.Lock()
	e, err := q.leased(j)
	if err != nil {
		q.mu.Unlock()
		return err
	}
	e.lease = 0
	o := q.submitOutcome(fn(e, q.now()))
	q.mu.Unlock()
	return o.wait()
}

// leased returns j's entry if j's lease is current. q.mu held.
func (q *Queue) leased(j Job) (*entry, error) {
	if err := q.usable(); err != nil {
		return nil, err
	}
	e := q.byPath[j.Path]
	if e == nil || e.id != j.ID || e.State != Active || j.Lease == 0 || e.lease != j.Lease {
		return nil, ErrStale
	}
	return e, nil
}

// requeue makes e Queued and places it in the index. q.mu held.
func (q *Queue) requeue(e *entry, now time.Time) {
	q.setState(e, Queued, now)
	q.idx.add(e, now)
	q.broadcast()
}

func clip(s string) string {
	if len(s) <= maxReason {
		return s
	}
	return s[:maxReason]
}
