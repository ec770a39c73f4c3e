package queue

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Enqueue records file versions to upload, all in one transaction, and
// returns how many were added. Per item, by the state of its path:
//
//   - no job, or a different version (size or mtime differ): the version is
//     queued as a new job at the back of its class; an older version's
//     record is replaced and a lease on it becomes stale;
//   - the same version Queued, Active, Done or Failed: nothing (a failed
//     job waits for Requeue);
//   - the same version Gone: queued again, the file came back.
//
// An invalid item (empty path, a path longer than bbolt's key limit, a
// negative size) rejects the whole call before anything changes. When
// nothing is added, nothing is written.
func (q *Queue) Enqueue(items []Item) (added int, err error) {
	for i, it := range items {
		if err := checkItem(it); err != nil {
			return 0, fmt.Errorf("enqueue item %d: %w", i, err)
		}
	}
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return 0, err
	}
	now := q.now()
	var muts []mutation
	for _, it := range items {
		if m := q.enqueueOne(it, now); m != nil {
			added++
			muts = append(muts, m...)
		}
	}
	if added > 0 {
		q.broadcast()
	}
	o := q.submit(muts)
	q.mu.Unlock()
	if err := o.wait(); err != nil {
		return 0, err
	}
	return added, nil
}

func checkItem(it Item) error {
	switch {
	case it.Path == "":
		return errors.New("empty path")
	case len(it.Path) > bolt.MaxKeySize:
		return fmt.Errorf("path of %d bytes is longer than %d", len(it.Path), bolt.MaxKeySize)
	case it.Size < 0:
		return fmt.Errorf("%s: negative size %d", it.Path, it.Size)
	}
	return nil
}

// enqueueOne applies one item in memory and returns its writes; nil when
// the item changes nothing. q.mu held.
func (q *Queue) enqueueOne(it Item, now time.Time) []mutation {
	old := q.byPath[it.Path]
	if old != nil && old.Size == it.Size && old.ModTime.Equal(it.ModTime) && old.State != Gone {
		return nil
	}
	var muts []mutation
	if old != nil {
		q.forget(old)
		muts = append(muts, delJob(old.id))
	}
	q.lastID++
	e := &entry{
		record: record{Path: it.Path, Size: it.Size, ModTime: canonical(it.ModTime), State: Queued, At: now},
		id:     q.lastID, rank: q.rank(it.Path), hidx: -1,
	}
	q.insert(e, now)
	return append(muts, putJob(e), putPath(e))
}

// canonical drops the monotonic reading and the location: a time as it
// comes back from the database.
func canonical(t time.Time) time.Time {
	return time.Unix(t.Unix(), int64(t.Nanosecond())).UTC()
}
