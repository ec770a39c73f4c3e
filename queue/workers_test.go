package queue

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// Workers for the tests that fail writes under load (writefail_test.go,
// diskfull_linux_test.go).

func loadItems(from, to int) []Item {
	var items []Item
	for i := from; i < to; i++ {
		items = append(items, item(fmt.Sprintf("_graded/%05d.mov", i), int64(i+1)))
	}
	return items
}

// countLeases starts workers that lease and finish jobs until the test
// ends, counting the leases per path; finished gets one value per Done.
func countLeases(t *testing.T, q *Queue, workers int) (leases *sync.Map, finished chan struct{}) {
	leases, finished = new(sync.Map), make(chan struct{}, 1<<16)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for range workers {
		wg.Go(func() {
			for {
				j, err := q.Lease(ctx, LeaseOptions{})
				if err != nil {
					return
				}
				n, _ := leases.LoadOrStore(j.Path, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
				if err := q.Done(j, testDelivery); err != nil {
					t.Errorf("Done: %v", err)
					return
				}
				finished <- struct{}{}
			}
		})
	}
	return leases, finished
}

// checkAllDone waits for total jobs done, then checks the file after a
// reopen: every job Done, each leased once.
func checkAllDone(t *testing.T, q *Queue, path string, leases *sync.Map, finished chan struct{}, total int) {
	t.Helper()
	for q.Counts().Done < total {
		<-finished
	}
	if err := q.WriteError(); err != nil {
		t.Errorf("WriteError() = %v at the end", err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = open(t, path, Options{})
	if c := q.Counts(); c.Done != total || c.Queued+c.Failed+c.Gone != 0 {
		t.Errorf("after reopen %+v, want %d done", c, total)
	}
	leases.Range(func(p, n any) bool {
		if n := n.(*atomic.Int32).Load(); n != 1 {
			t.Errorf("%s leased %d times", p, n)
		}
		return true
	})
}
