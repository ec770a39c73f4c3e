package queue

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// load builds the in-memory copy of the records: entries by path, counts,
// the ready index. Nothing on disk is Active, so a lease held by a process
// that died is released here simply by not existing: its job is Queued with
// the attempts it had.
func (q *Queue) load(tx *bolt.Tx) error {
	jobs, paths := tx.Bucket(bucketJobs), tx.Bucket(bucketPaths)
	if err := q.loadJobs(jobs, paths, q.now()); err != nil {
		return fmt.Errorf("load jobs: %w", err)
	}
	n := 0
	err := paths.ForEach(func(k, v []byte) error {
		n++
		_, err := parseID(v)
		return err
	})
	if err != nil {
		return fmt.Errorf("load jobs: paths index: %w", err)
	}
	if n != len(q.byPath) {
		return fmt.Errorf("load jobs: %d paths index entries for %d jobs", n, len(q.byPath))
	}
	q.lastID = max(q.lastID, jobs.Sequence())
	return nil
}

// loadJobs decodes every record. Each key is also looked up the way a write
// will look it up, which reads the keys of the tree's inner pages that a
// walk skips: damage there is found now, not by a later write.
func (q *Queue) loadJobs(jobs, paths *bolt.Bucket, now time.Time) error {
	walk, seek := jobs.Cursor(), jobs.Cursor()
	for k, v := walk.First(); k != nil; k, v = walk.Next() {
		if found, _ := seek.Seek(k); !bytes.Equal(found, k) {
			return fmt.Errorf("job %x: %w: its key does not find it (the tree is damaged)", k, errCorrupt)
		}
		e, err := q.loadEntry(paths, k, v)
		if err != nil {
			return err
		}
		q.insert(e, now)
	}
	return nil
}

// loadEntry decodes one record and checks it against the paths index.
func (q *Queue) loadEntry(paths *bolt.Bucket, k, v []byte) (*entry, error) {
	id, err := parseID(k)
	if err != nil {
		return nil, err
	}
	r, err := decodeRecord(k, v)
	if err != nil {
		return nil, err
	}
	if _, dup := q.byPath[r.Path]; dup {
		return nil, fmt.Errorf("job %x: %w: second record for %q", k, errCorrupt, r.Path)
	}
	ref, err := parseID(paths.Get(pathKey(r.Path)))
	if err != nil || ref != id {
		return nil, fmt.Errorf("job %x: %w: paths index for %q does not point to it", k, errCorrupt, r.Path)
	}
	q.lastID = max(q.lastID, id)
	return &entry{record: r, id: id, rank: q.rank(r.Path), hidx: -1}, nil
}

// insert adds a new entry to the maps, the counts and, if Queued, the
// ready index. q.mu held (or the queue not yet shared).
func (q *Queue) insert(e *entry, now time.Time) {
	q.byPath[e.Path] = e
	q.account(e, 1)
	if e.State == Queued {
		q.idx.add(e, now)
	}
}

// forget removes an entry from the maps, the counts and the ready index.
// q.mu held.
func (q *Queue) forget(e *entry) {
	q.idx.remove(e)
	q.account(e, -1)
	delete(q.byPath, e.Path)
	q.maybeIdle()
}

// setState moves an entry to state s, keeping counts and the failed set.
// The caller places a Queued entry in the index. q.mu held.
func (q *Queue) setState(e *entry, s State, now time.Time) {
	q.account(e, -1)
	e.State, e.At = s, now
	if s != Done && e.ext != nil {
		e.setDelivery(storedDelivery{}) // only a Done record has one (record.go)
	}
	q.account(e, 1)
}

// account adds (sign 1) or removes (sign -1) e's share of the counts.
func (q *Queue) account(e *entry, sign int) {
	c, n := &q.counts, int64(sign)*e.Size
	switch e.State {
	case Queued:
		c.Queued += sign
		c.QueuedBytes += n
	case Active:
		c.Active += sign
		c.ActiveBytes += n
	case Done:
		c.Done += sign
		c.DoneBytes += n
		if !e.missing().IsZero() {
			c.Missing += sign
		}
		c.Verified.add(e.delivery().verified, sign)
		q.accountAction(e, sign)
	case Failed:
		c.Failed += sign
	case Gone:
		c.Gone += sign
	}
	if e.State == Failed {
		if sign > 0 {
			q.failed[e] = struct{}{}
		} else {
			delete(q.failed, e)
		}
	}
	if sign > 0 {
		q.maybeIdle() // the second half of a change, or an insert
	}
}
