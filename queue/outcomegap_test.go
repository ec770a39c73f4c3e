package queue

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// outcomeRig is a queue whose outcomes may wait an hour (Options.OutcomeGap)
// and which counts its commits.
type outcomeRig struct {
	q       *Queue
	commits atomic.Int64
}

func newOutcomeRig(t *testing.T) *outcomeRig {
	r := &outcomeRig{}
	r.q = open(t, dbPath(t), Options{OutcomeGap: time.Hour, writeHook: func() error {
		r.commits.Add(1)
		return nil
	}})
	return r
}

// doneLater calls Done in a goroutine; the channel gets its error.
func (r *outcomeRig) doneLater(j Job) <-chan error {
	c := make(chan error, 1)
	go func() { c <- r.q.Done(j, testDelivery) }()
	return c
}

// waiting fails the test if c has an answer after a while: the outcome is
// still gathering.
func waiting(t *testing.T, c <-chan error, what string) {
	t.Helper()
	select {
	case err := <-c:
		t.Fatalf("%s returned (%v) while it should gather", what, err)
	case <-time.After(50 * time.Millisecond):
	}
}

// returns fails the test unless c answers nil soon (well within the hour).
func returns(t *testing.T, c <-chan error, what string) {
	t.Helper()
	select {
	case err := <-c:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still waits for OutcomeGap", what)
	}
}

// TestOutcomesGatherWhileWorkIsLeft: outcomes share a commit while other
// jobs are active, and the last one brings it at once.
func TestOutcomesGatherWhileWorkIsLeft(t *testing.T) {
	r := newOutcomeRig(t)
	enqueue(t, r.q, item("_graded/a.mov", 1), item("_graded/b.mov", 2), item("_graded/c.mov", 3))
	a, b, c := mustLease(t, r.q), mustLease(t, r.q), mustLease(t, r.q)
	before := r.commits.Load()
	da := r.doneLater(a)
	waiting(t, da, "the first Done")
	db := r.doneLater(b)
	waiting(t, db, "the second Done")
	if n := r.commits.Load() - before; n != 0 {
		t.Fatalf("%d commits while outcomes gather", n)
	}
	returns(t, r.doneLater(c), "the last Done")
	returns(t, da, "the first Done")
	returns(t, db, "the second Done")
	if n := r.commits.Load() - before; n != 1 {
		t.Fatalf("three outcomes took %d commits, want 1", n)
	}
	for _, p := range []string{"_graded/a.mov", "_graded/b.mov", "_graded/c.mov"} {
		if st := diskRecords(t, r.q)[p].State; st != Done {
			t.Errorf("%s on disk: %v, want done", p, st)
		}
	}
}

// TestOtherChangesCutTheOutcomeGap: an Enqueue pending commits the outcomes
// gathered with it; outcomes alone commit once there are lazyBatch of them.
func TestOtherChangesCutTheOutcomeGap(t *testing.T) {
	t.Run("enqueue", func(t *testing.T) {
		r := newOutcomeRig(t)
		enqueue(t, r.q, item("_graded/a.mov", 1), item("_graded/b.mov", 2))
		a := mustLease(t, r.q)
		mustLease(t, r.q)
		da := r.doneLater(a)
		waiting(t, da, "Done")
		enqueue(t, r.q, item("_thumbnails/new.jpg", 3))
		returns(t, da, "Done after an Enqueue")
	})
	t.Run("lazyBatch", func(t *testing.T) {
		r := newOutcomeRig(t)
		var items []Item
		for i := range lazyBatch + 1 {
			items = append(items, item(fmt.Sprintf("_thumbnails/%03d.jpg", i), 1))
		}
		enqueue(t, r.q, items...)
		var jobs []Job
		for range items {
			jobs = append(jobs, mustLease(t, r.q))
		}
		var dones []<-chan error
		for _, j := range jobs[:lazyBatch-1] {
			dones = append(dones, r.doneLater(j))
		}
		waiting(t, dones[0], fmt.Sprintf("Done with %d outcomes pending", lazyBatch-1))
		dones = append(dones, r.doneLater(jobs[lazyBatch-1]))
		for i, d := range dones {
			returns(t, d, fmt.Sprintf("Done %d of %d", i+1, lazyBatch))
		}
		if c := r.q.Counts(); c.Active != 1 || c.Done != lazyBatch {
			t.Fatalf("counts %+v, want %d done and 1 active", c, lazyBatch)
		}
	})
	t.Run("close", func(t *testing.T) {
		r := newOutcomeRig(t)
		enqueue(t, r.q, item("_graded/a.mov", 1), item("_graded/b.mov", 2))
		da := r.doneLater(mustLease(t, r.q))
		mustLease(t, r.q)
		waiting(t, da, "Done")
		if err := r.q.Close(); err != nil {
			t.Fatal(err)
		}
		returns(t, da, "Done across Close")
	})
}
