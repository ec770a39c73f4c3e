package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentLeasers: many workers lease, retry and finish jobs while
// a producer enqueues; each job is held by at most one worker at a time
// and done exactly once.
func TestConcurrentLeasers(t *testing.T) {
	const jobs, workers, batch = 2000, 16, 100
	q := open(t, dbPath(t), Options{Priority: []string{"t", "g"}})
	held := make([]atomic.Bool, jobs)
	done := make([]atomic.Int32, jobs)
	var finished atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := LeaseOptions{}
			if w == 0 {
				o.Class = "t" // one worker for the first class only
			}
			work(ctx, t, q, o, held, done, &finished, cancel, jobs)
		}()
	}
	for i := 0; i < jobs; i += batch {
		var items []Item
		for k := i; k < i+batch; k++ {
			items = append(items, item(fmt.Sprintf("%s/%d", []string{"t", "g", "x"}[k%3], k), int64(k)))
		}
		enqueue(t, q, items...)
	}
	wg.Wait()
	for i := range done {
		if n := done[i].Load(); n != 1 {
			t.Errorf("job %d done %d times", i, n)
		}
	}
	if c := q.Counts(); c.Done != jobs || c.Queued+c.Active+c.Failed+c.Gone != 0 {
		t.Errorf("counts %+v", c)
	}
	checkCounts(t, q)
}

// work leases until ctx ends; every third first attempt is retried at once.
func work(ctx context.Context, t *testing.T, q *Queue, o LeaseOptions,
	held []atomic.Bool, done []atomic.Int32, finished *atomic.Int32, stop func(), total int) {
	for {
		j, err := q.Lease(ctx, o)
		if errors.Is(err, context.Canceled) {
			return
		}
		if err != nil {
			t.Errorf("Lease: %v", err)
			return
		}
		k := int(j.Size)
		if o.Class != "" && !strings.HasPrefix(j.Path, o.Class+"/") {
			t.Errorf("a worker for class %s got %s", o.Class, j.Path)
		}
		if !held[k].CompareAndSwap(false, true) {
			t.Errorf("job %d leased by two workers", k)
		}
		if k%3 == 0 && j.Attempts == 0 {
			held[k].Store(false)
			if err := q.Retry(j, time.Time{}, "again"); err != nil {
				t.Errorf("Retry: %v", err)
			}
			continue
		}
		held[k].Store(false)
		if err := q.Done(j, testDelivery); err != nil {
			t.Errorf("Done: %v", err)
		}
		done[k].Add(1)
		if int(finished.Add(1)) == total {
			stop()
		}
	}
}
