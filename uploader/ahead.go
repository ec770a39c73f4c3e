package uploader

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// Sign ahead (doc.go, Sign ahead): while the workers' PUTs run, the URLs
// of the jobs the next leases hand out (queue Upcoming, which leases
// nothing) are being signed, so a worker that leases one PUTs at once and
// a small file costs one round trip, not two. Nothing is leased for it:
// a URL waits in memory, keyed by one version of one file (path, disk
// spelling, size and mtime, as the digests are), never a job.

// aheadEntry is a URL being signed (done open) or signed ahead.
type aheadEntry struct {
	done chan struct{}
	su   odailies.SignedURL
	err  error
}

// signAhead is the pool's look-ahead signer: its cache, what it has learnt
// of the URLs' life and of the pace of leases, and its counts.
type signAhead struct {
	max int // depth and sign requests at once: Workers+1 (every worker's next job, and the lane's)

	mu       sync.Mutex
	m        map[digestKey]*aheadEntry // for jobs not leased yet
	taken    map[uint64]*aheadEntry    // by job ID: leased, not yet used by its worker
	life     time.Duration             // a fresh URL's life on the server's clock, last seen; 0: none seen yet
	gap      time.Duration             // the time between two leases, smoothed
	last     time.Time                 // the last lease
	leases   uint64                    // leases seen: a plan made on an older Upcoming is not carried out
	inflight int
	kick     chan struct{} // capacity 1: look at the queue again

	// signs asked ahead, used by a worker, and dropped unused.
	signs, used, dropped atomic.Int64
	onPlan               func(life time.Duration, claimed []queue.Item) // tests: sees each plan
}

func newSignAhead(workers int) *signAhead {
	return &signAhead{max: workers + 1, m: map[digestKey]*aheadEntry{}, taken: map[uint64]*aheadEntry{},
		kick: make(chan struct{}, 1)}
}

// worthAhead is the bound by URL life: the job at pos (0: the next lease)
// starts in about (pos+1) gaps between leases, and a URL signed now must
// still have more than minLife left then (the life a worker asks of any
// URL it did not sign itself). So URLs that live no longer than minLife
// (3-second URLs) are never signed ahead, and with long clips only the
// jobs that will start in time are.
func worthAhead(pos int, gap, life, minLife time.Duration) bool {
	return life > minLife && time.Duration(pos+1)*gap < life-minLife
}

// leased notes a lease at now and moves job's URL, signed or being
// signed ahead, to the job: only this version of this file may use it.
func (a *signAhead) leased(job queue.Job, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.last.IsZero() {
		a.gap += (now.Sub(a.last) - a.gap) / 4
	}
	a.last = now
	a.leases++
	k := keyOf(job.Item)
	if e := a.m[k]; e != nil {
		delete(a.m, k)
		a.taken[job.ID] = e
	}
	a.wakeLocked()
}

// take hands the worker of job the URL signed ahead for it: it waits for
// a sign in flight; ok is false when there is none, it failed, or it has
// no more than minLife left at now (the worker signs then).
func (a *signAhead) take(ctx context.Context, job queue.Job, now func() time.Time, minLife time.Duration) (odailies.SignedURL, bool) {
	a.mu.Lock()
	e := a.taken[job.ID]
	delete(a.taken, job.ID)
	a.mu.Unlock()
	if e == nil {
		return odailies.SignedURL{}, false
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return odailies.SignedURL{}, false
	}
	if e.err != nil || e.su.Remaining(now()) <= minLife {
		a.dropped.Add(1)
		return odailies.SignedURL{}, false
	}
	a.used.Add(1)
	return e.su, true
}

// forget drops what job's worker did not use (its outcome came first).
func (a *signAhead) forget(id uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.taken[id]; ok {
		delete(a.taken, id)
		a.dropped.Add(1)
	}
}

// learn records the life of a URL signed at now.
func (a *signAhead) learn(su odailies.SignedURL, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.life = su.Remaining(now)
	a.wakeLocked() // the first life seen may let the next jobs be signed
}

func (a *signAhead) wakeLocked() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// seen is the count of leases, taken before Upcoming is read for plan.
func (a *signAhead) seen() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.leases
}

// plan keeps the entries of items (the queue's next jobs, read when
// seen leases had been made), drops the rest, and claims the ones to
// sign now: within the bound by URL life, at most max sign requests at
// once. After a lease made since items were read it does nothing (the
// lease woke the loop, which looks again): the job leased may be among
// items, and a URL signed for it now would never be used.
func (a *signAhead) plan(items []queue.Item, seen uint64, now time.Time, minLife time.Duration) (claimed []queue.Item, entries []*aheadEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if seen != a.leases {
		return nil, nil
	}
	want := make(map[digestKey]bool, len(items))
	for _, it := range items {
		want[keyOf(it)] = true
	}
	// A URL of a job not among items is of a version that changed or
	// went (never used: no job of another version matches its key), or
	// of a job a worker leased and has not noted yet (leased moves it to
	// the job). So such URLs are dropped only past 2×max of them, or once
	// too old for any PUT.
	over := len(a.m) > 2*a.max
	for k, e := range a.m {
		if !want[k] && (over || stale(e, 0, 0, now, minLife)) {
			delete(a.m, k)
			a.dropped.Add(1)
		}
	}
	for pos, it := range items {
		k := keyOf(it)
		if e := a.m[k]; e != nil && stale(e, pos, a.gap, now, minLife) {
			delete(a.m, k) // too old by the time its job starts: sign again
			a.dropped.Add(1)
		}
		if a.m[k] != nil || a.inflight >= a.max || !worthAhead(pos, a.gap, a.life, minLife) {
			continue
		}
		e := &aheadEntry{done: make(chan struct{})}
		a.m[k] = e
		a.inflight++
		claimed, entries = append(claimed, it), append(entries, e)
	}
	return claimed, entries
}

// stale reports whether e, signed, will have no more than minLife left
// when the job at pos starts (a failed sign is kept: its worker signs).
func stale(e *aheadEntry, pos int, gap time.Duration, now time.Time, minLife time.Duration) bool {
	select {
	case <-e.done:
	default:
		return false
	}
	return e.err == nil && e.su.Remaining(now)-time.Duration(pos+1)*gap <= minLife
}

// finish ends a claimed sign.
func (a *signAhead) finish(e *aheadEntry, su odailies.SignedURL, err error) {
	a.mu.Lock()
	a.inflight--
	a.mu.Unlock()
	e.su, e.err = su, err
	close(e.done)
}

// signAheadLoop is the look-ahead signer: after each lease, and after
// each sign it made, it signs the next jobs' URLs (plan) while the gate
// is open. It ends with ctx, once its sign requests have.
func (u *Uploader) signAheadLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	a := u.ahead
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.kick:
		}
		if !u.gate.open() {
			continue // the next lease, after the gate opens, looks again
		}
		seen := a.seen()
		items, entries := a.plan(u.jobs.Upcoming(a.max), seen, u.o.Now(), u.o.MinURLLife)
		if a.onPlan != nil {
			a.mu.Lock()
			life := a.life
			a.mu.Unlock()
			a.onPlan(life, items)
		}
		for i, it := range items {
			e := entries[i]
			a.signs.Add(1)
			wg.Go(func() {
				su, err := u.signer.SignUpload(ctx, it.Path)
				if ctx.Err() == nil {
					u.gate.report(probeJob{path: it.Path}, err)
				}
				if err == nil {
					a.learn(su, u.o.Now())
				}
				a.finish(e, su, err)
				a.mu.Lock()
				a.wakeLocked() // a slot for the next sign
				a.mu.Unlock()
			})
		}
	}
}
