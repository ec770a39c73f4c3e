package queue

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Enqueue records file versions to upload, all in one transaction, and
// returns how many were added (queued). Per item, by the state of its path:
//
//   - no job, or a different version (size or mtime differ): the version is
//     queued as a new job at the back of its class; an older version's
//     record is replaced and a lease on it becomes stale;
//   - a job in state Gone, of this version or another: queued as a new
//     job, the file came back;
//   - the same version Queued, Active, Done or Failed: not queued (a done
//     file is never sent again, a failed job waits for Requeue), but the
//     record takes the item's disk spelling, and a done record's missing
//     mark is cleared (Prune): the file is there.
//
// An invalid item (empty path, a path longer than bbolt's key limit, a
// negative size) rejects the whole call before anything changes. When
// nothing changes, nothing is written.
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
		m, queued := q.enqueueOne(it, now)
		if queued {
			added++
		}
		muts = append(muts, m...)
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

// enqueueOne applies one item in memory and returns its writes (none when
// the item changes nothing) and whether it queued a job. q.mu held.
func (q *Queue) enqueueOne(it Item, now time.Time) (muts []mutation, queued bool) {
	disk := it.Disk
	if disk == it.Path {
		disk = ""
	}
	old := q.byPath[it.Path]
	if old != nil && old.Size == it.Size && old.ModTime.Equal(it.ModTime) && old.State != Gone {
		return q.seen(old, disk), false
	}
	if old != nil {
		q.forget(old)
		muts = append(muts, delJob(old.id))
	}
	q.lastID++
	e := &entry{
		record: record{Path: it.Path, Size: it.Size, ModTime: canonical(it.ModTime), State: Queued, At: now},
		id:     q.lastID, rank: q.rank(it.Path), hidx: -1,
	}
	e.setExt(disk, time.Time{})
	q.insert(e, now)
	return append(muts, putJob(e), putPath(e)), true
}

// seen records what an Enqueue of e's own version says: the file's disk
// spelling, and that it is there (a missing mark is cleared). It returns
// the record's write, or nil when nothing changed. An Active entry's
// record is written as Queued, as always (putJob). q.mu held.
func (q *Queue) seen(e *entry, disk string) []mutation {
	if e.disk() == disk && e.missing().IsZero() {
		return nil
	}
	q.setMissing(e, time.Time{})
	e.setExt(disk, time.Time{})
	return []mutation{putJob(e)}
}

// canonical drops the monotonic reading and the location: a time as it
// comes back from the database.
func canonical(t time.Time) time.Time {
	return time.Unix(t.Unix(), int64(t.Nanosecond())).UTC()
}
