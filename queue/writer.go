package queue

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Group commit. A state change is applied to memory and its writes are
// appended to q.pending under q.mu, so pending is always in the order the
// changes happened. One writer goroutine takes everything pending, applies
// it in one Update (one fsync) and then releases every waiting caller.
// While it commits, new changes pile up for the next Update. Commits start
// at least gatherGap apart: a change after a quiet spell is committed at
// once, and a steady stream of changes (a pool of workers finishing small
// files every millisecond) shares one commit per gatherGap instead of
// paying nearly one per change. Upload outcomes are written without
// holding up the workers (uploader.outcomeWriter), so the wait only bounds
// how late a change becomes durable.
//
// The rule before spaced commits only after one that carried more than one
// caller's changes; with outcomes arriving one at a time and a fast
// fdatasync, nearly every commit carried one, and 1,500 small uploads cost
// about 1,000 commits (two fdatasyncs each, bbolt's pages and its meta).
//
// An upload's outcome may wait longer, Options.OutcomeGap (the daemon:
// outcomeGap in internal/daemon), while other jobs are queued or active:
// a pool finishing small files then shares one commit per OutcomeGap
// rather than per 5 ms. On 1,500 small uploads (scripts/bench-sync.sh)
// that took the commits from about 370 to about 70 and the whole sync's
// CPU time down by 7 to 17 % between runs. Any other change pending (an
// Enqueue, an admin command, an action), lazyBatch outcomes pending, or
// the last outcome of the work (nothing left queued or active: a sync
// ending, a lone upload finishing) brings the commit back to gatherGap.
// The price is in Hazards (doc.go): a crash can send the uploads that
// finished in the last OutcomeGap again.

// gatherGap is the least time between the starts of two commits. It bounds
// the wait it adds to a change's durability.
const gatherGap = 5 * time.Millisecond

// lazyBatch is the most outcomes a commit waits for: half of what the
// uploader keeps unrecorded (its maxUnrecorded, 64), so a fast pool never
// waits for a free slot while outcomes gather.
const lazyBatch = 32

const jobsFillPercent = 0.9

// mutation is one key written (val != nil) or deleted (val == nil).
type mutation struct {
	bucket   []byte
	key, val []byte
}

// op is one caller's writes and the channel its outcome comes back on.
type op struct {
	muts     []mutation
	done     chan error
	released bool // its outcome has been sent (q.mu)
}

// submit queues muts for the writer. q.mu held. An op without writes is
// complete at once: nothing needs to become durable. While writes fail, an
// op is complete at once too: the change stands in memory and is written
// with the others when the disk takes writes again (writefail.go).
func (q *Queue) submit(muts []mutation) *op { return q.submitOp(muts, false) }

// submitOutcome is submit for an upload's outcome (Options.OutcomeGap).
func (q *Queue) submitOutcome(muts []mutation) *op { return q.submitOp(muts, true) }

func (q *Queue) submitOp(muts []mutation, outcome bool) *op {
	o := &op{muts: muts, done: make(chan error, 1)}
	if len(muts) == 0 {
		o.release(nil)
		return o
	}
	q.pending = append(q.pending, o)
	if q.werr != nil {
		o.release(nil)
	}
	if !outcome {
		q.urgent++
	}
	if !outcome || len(q.pending) == lazyBatch {
		signal(q.hurry) // the last outcome of the work signals in maybeIdle
	}
	signal(q.kick)
	return o
}

// signal wakes whoever waits on c, a channel with room for one, unless it
// has been told already.
func signal(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// commitGap is how far apart this commit may start from the last: the
// OutcomeGap while only outcomes are pending, fewer than lazyBatch of
// them, and work is left queued or active; gatherGap otherwise. q.mu held.
func (q *Queue) commitGap() time.Duration {
	if q.outcomeGap <= gatherGap || q.urgent > 0 || len(q.pending) >= lazyBatch || !q.busy {
		return gatherGap
	}
	return q.outcomeGap
}

// release sends the op's outcome once. q.mu held, or the op not shared.
func (o *op) release(err error) {
	if !o.released {
		o.released = true
		o.done <- err
	}
}

// wait blocks until the op's writes are durable, are kept in memory
// because writes fail, or were lost by Close.
func (o *op) wait() error { return <-o.done }

// writer commits what is pending, one transaction at a time. After a
// failed write it waits (retryMin doubling to retryMax) and tries again;
// Close ends the wait with one last attempt.
func (q *Queue) writer() {
	defer close(q.writerDone)
	var backoff time.Duration
	var began time.Time   // of the last commit
	var dropped time.Time // when the map's pages were last dropped (mapped.go)
	for q.sleep(backoff) {
		if backoff == 0 && !q.gather(began) {
			break
		}
		began = time.Now()
		if n, err := q.flush(false); err != nil {
			backoff = min(max(2*backoff, retryMin), retryMax)
		} else {
			backoff = 0
			if n > 0 {
				dropped = dropMapped(q.db, dropped)
			}
		}
	}
	_, _ = q.flush(true)
}

// gather lets changes pile up until commitGap after began, the start of
// the last commit; a change that shortens the gap (hurry) ends the wait
// sooner. It returns false when Close asks the writer to stop meanwhile.
func (q *Queue) gather(began time.Time) bool {
	for {
		q.mu.Lock()
		d := time.Until(began.Add(q.commitGap()))
		q.mu.Unlock()
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
			return true
		case <-q.hurry:
			t.Stop() // look at the gap again
		case <-q.stop:
			t.Stop()
			return false
		}
	}
}

// sleep waits for work (backoff 0) or for the backoff to pass. It returns
// false when Close asks the writer to stop.
func (q *Queue) sleep(backoff time.Duration) bool {
	var timer <-chan time.Time
	kick := q.kick
	if backoff > 0 {
		c, stop := q.afterWrite(backoff)
		defer stop()
		timer, kick = c, nil // a new change does not cut the backoff short
	}
	select {
	case <-kick:
	case <-timer:
	case <-q.stop:
		return false
	}
	return true
}

// flush commits everything pending in one transaction and says how many
// callers' changes it held. last is Close's attempt: if it fails, the
// waiting callers get the error, since no later attempt will record their
// changes.
func (q *Queue) flush(last bool) (int, error) {
	q.mu.Lock()
	batch, lastID := q.pending, q.lastID
	q.pending, q.urgent = nil, 0
	q.mu.Unlock()
	if len(batch) == 0 {
		return 0, nil
	}
	err := guard(func() error {
		return q.db.Update(func(tx *bolt.Tx) error {
			if err := q.writeHook(); err != nil {
				return err
			}
			return apply(tx, batch, lastID)
		})
	})
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case err == nil:
		q.written(batch)
	case last:
		q.werr = fmt.Errorf("changes not written to %s are lost (a job done since the last write is uploaded again): %w",
			q.db.Path(), err)
		for _, o := range append(batch, q.pending...) {
			o.release(q.werr)
		}
	default:
		q.keep(batch, err)
	}
	return len(batch), err
}

// apply writes a batch and raises the jobs sequence to lastID, so no ID in
// the batch is handed out again after a restart, and the schema version to
// what its records need (schema.go, the additive rule).
func apply(tx *bolt.Tx, batch []*op, lastID uint64) error {
	// Job keys only grow, so pages split when full pack nearly full
	// rather than half (bbolt's default, made for random inserts).
	tx.Bucket(bucketJobs).FillPercent = jobsFillPercent
	need := baseVersion
	for _, o := range batch {
		for _, m := range o.muts {
			if err := applyOne(tx, m); err != nil {
				return err
			}
			if m.val != nil && bytes.Equal(m.bucket, bucketJobs) {
				need = max(need, recordVersion(m.val))
			}
		}
	}
	if need > baseVersion {
		if err := raiseVersion(tx, need); err != nil {
			return err
		}
	}
	jobs := tx.Bucket(bucketJobs)
	if lastID > jobs.Sequence() {
		return jobs.SetSequence(lastID)
	}
	return nil
}

func applyOne(tx *bolt.Tx, m mutation) error {
	b := tx.Bucket(m.bucket)
	if m.val == nil {
		if err := b.Delete(m.key); err != nil {
			return fmt.Errorf("delete %s/%x: %w", m.bucket, m.key, err)
		}
		return nil
	}
	if err := b.Put(m.key, m.val); err != nil {
		return fmt.Errorf("put %s/%x: %w", m.bucket, m.key, err)
	}
	return nil
}

// Mutations for the records of one entry.

func putJob(e *entry) mutation {
	r := e.record
	if r.State == Active {
		r.State = Queued // a lease is never stored
	}
	return mutation{bucket: bucketJobs, key: idKey(e.id), val: encodeRecord(&r)}
}

func delJob(id uint64) mutation {
	return mutation{bucket: bucketJobs, key: idKey(id)}
}

func putPath(e *entry) mutation {
	return mutation{bucket: bucketPaths, key: pathKey(e.Path), val: idKey(e.id)}
}

func delPath(path string) mutation {
	return mutation{bucket: bucketPaths, key: pathKey(path)}
}
