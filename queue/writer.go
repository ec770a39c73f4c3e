package queue

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Group commit. A state change is applied to memory and its writes are
// appended to q.pending under q.mu, so pending is always in the order the
// changes happened. One writer goroutine takes everything pending, applies
// it in one Update (one fsync) and then releases every waiting caller.
// While it commits, new changes pile up for the next Update; there is no
// fixed delay, so a lone change costs one fsync and a busy pool shares them.

const jobsFillPercent = 0.9

// mutation is one key written (val != nil) or deleted (val == nil).
type mutation struct {
	bucket   []byte
	key, val []byte
}

// op is one caller's writes and the channel its outcome comes back on.
type op struct {
	muts []mutation
	done chan error
}

// submit queues muts for the writer. q.mu held. An op without writes is
// complete at once: nothing needs to become durable.
func (q *Queue) submit(muts []mutation) *op {
	o := &op{muts: muts, done: make(chan error, 1)}
	if len(muts) == 0 {
		o.done <- nil
		return o
	}
	q.pending = append(q.pending, o)
	select {
	case q.kick <- struct{}{}:
	default: // the writer has been told already
	}
	return o
}

// wait blocks until the op's writes are durable or have failed.
func (o *op) wait() error { return <-o.done }

func (q *Queue) writer() {
	defer close(q.writerDone)
	for {
		select {
		case <-q.kick:
			q.flush()
		case <-q.stop:
			q.flush()
			return
		}
	}
}

// flush commits everything pending in one transaction.
func (q *Queue) flush() {
	q.mu.Lock()
	batch, lastID := q.pending, q.lastID
	q.pending = nil
	q.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	err := q.db.Update(func(tx *bolt.Tx) error { return apply(tx, batch, lastID) })
	if err != nil {
		err = fmt.Errorf("write queue: %w", err)
		q.log.Error("queue write failed; the queue refuses work until reopened", "err", err, "ops", len(batch))
		q.mu.Lock()
		if q.werr == nil {
			q.werr = err
		}
		q.mu.Unlock()
	}
	for _, o := range batch {
		o.done <- err
	}
}

// apply writes a batch and raises the jobs sequence to lastID, so no ID in
// the batch is handed out again after a restart.
func apply(tx *bolt.Tx, batch []*op, lastID uint64) error {
	// Job keys only grow, so pages split when full pack nearly full
	// rather than half (bbolt's default, made for random inserts).
	tx.Bucket(bucketJobs).FillPercent = jobsFillPercent
	for _, o := range batch {
		for _, m := range o.muts {
			if err := applyOne(tx, m); err != nil {
				return err
			}
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
