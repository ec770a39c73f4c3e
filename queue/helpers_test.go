package queue

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// timers replaces the real timer: each request is reported on asked with
// the duration, and fires when the test sends on fire.
type timers struct {
	asked chan time.Duration
	fire  chan time.Time
}

func newTimers() *timers {
	return &timers{asked: make(chan time.Duration, 16), fire: make(chan time.Time)}
}

func (f *timers) after(d time.Duration) (<-chan time.Time, func() bool) {
	f.asked <- d
	return f.fire, func() bool { return true }
}

func dbPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "queue.db")
}

// open opens a queue at path and closes it when the test ends.
func open(t testing.TB, path string, opts Options) *Queue {
	t.Helper()
	q, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func item(path string, size int64) Item {
	return Item{Path: path, Size: size, ModTime: t0.Add(time.Duration(size) * time.Second)}
}

// nfdItem is item(path, size) found on disk under another spelling: path
// with ".nfd" appended stands in for it (the queue never compares the two).
func nfdItem(path string, size int64) Item {
	it := item(path, size)
	it.Disk = path + ".nfd"
	return it
}

// extRecord is r with a disk spelling and a missing mark.
func extRecord(r record, disk string, missing time.Time) *record {
	r.setExt(disk, missing)
	return &r
}

func enqueue(t testing.TB, q *Queue, items ...Item) int {
	t.Helper()
	n, err := q.Enqueue(items)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return n
}

// leaseNow leases a due job without blocking; ok is false if none is due.
func leaseNow(t testing.TB, q *Queue, o LeaseOptions) (Job, bool) {
	t.Helper()
	j, _, err := q.tryLease(o.Class)
	if err != nil {
		t.Fatalf("lease: %v", err)
	}
	return j, j.Lease != 0
}

func mustLease(t testing.TB, q *Queue) Job {
	t.Helper()
	j, ok := leaseNow(t, q, LeaseOptions{})
	if !ok {
		t.Fatal("no job due")
	}
	return j
}

// stateOf is the state of path in memory; 0 when it has no record.
func stateOf(q *Queue, path string) (State, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e := q.byPath[path]
	if e == nil {
		return 0, 0
	}
	return e.State, e.Attempts
}

// diskRecords reads every record from the file.
func diskRecords(t testing.TB, q *Queue) map[string]record {
	t.Helper()
	out := make(map[string]record)
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			r, err := decodeRecord(k, v)
			out[r.Path] = r
			return err
		})
	})
	if err != nil {
		t.Fatalf("read records: %v", err)
	}
	return out
}

// checkCounts compares Counts with a recount of the records on disk,
// where a leased job is still Queued.
func checkCounts(t testing.TB, q *Queue) {
	t.Helper()
	var want Counts
	for _, r := range diskRecords(t, q) {
		switch r.State {
		case Queued:
			want.Queued++
			want.QueuedBytes += r.Size
		case Done:
			want.Done++
			want.DoneBytes += r.Size
			if !r.missing().IsZero() {
				want.Missing++
			}
			want.Verified.add(r.delivery().verified, 1)
		case Failed:
			want.Failed++
		case Gone:
			want.Gone++
		}
	}
	got := q.Counts()
	got.Queued += got.Active
	got.QueuedBytes += got.ActiveBytes
	got.Active, got.ActiveBytes = 0, 0
	if got != want {
		t.Errorf("counts %+v, recount of records %+v", got, want)
	}
}

// leaseAsync runs a blocking Lease and returns its outcome channel.
type leaseResult struct {
	j   Job
	err error
}

func leaseAsync(ctx context.Context, q *Queue, o LeaseOptions) <-chan leaseResult {
	c := make(chan leaseResult, 1)
	go func() {
		j, err := q.Lease(ctx, o)
		c <- leaseResult{j, err}
	}()
	return c
}

func isErr(err, target error) bool {
	if target == nil {
		return err == nil
	}
	return errors.Is(err, target)
}

// testDelivery is the delivery tests record with Done: verified by an ETag
// equal to the MD5 of "".
var testDelivery = Delivery{MD5: "d41d8cd98f00b204e9800998ecf8427e", ETag: "d41d8cd98f00b204e9800998ecf8427e", Verified: VerifiedETag}
