package queue

import (
	"testing"
	"time"
)

// TestNotifyIdle: the channel hears when the last job leaves Queued and
// Active, once per time, and never while work is left.
func TestNotifyIdle(t *testing.T) {
	clk := newClock()
	q := open(t, dbPath(t), Options{Now: clk.Now})
	idle := make(chan struct{}, 1)
	q.NotifyIdle(idle)
	heard := func() bool {
		select {
		case <-idle:
			return true
		default:
			return false
		}
	}
	enqueue(t, q, item("_graded/a.mov", 1), item("_graded/b.mov", 2))
	a := mustLease(t, q)
	if heard() {
		t.Fatal("idle with one job queued and one active")
	}
	b := mustLease(t, q) // the last queued one: both are Active now
	if heard() {
		t.Fatal("idle with two jobs active")
	}
	if err := q.Done(a, testDelivery); err != nil {
		t.Fatal(err)
	}
	if heard() {
		t.Fatal("idle with one job still active")
	}
	if err := q.Retry(b, t0.Add(time.Hour), "storage answered 503"); err != nil {
		t.Fatal(err)
	}
	if heard() {
		t.Fatal("idle with one job queued for later")
	}
	clk.Set(t0.Add(2 * time.Hour))
	b = mustLease(t, q)
	if heard() {
		t.Fatal("idle with one job active")
	}
	if err := q.Fail(b, "the file is unreadable"); err != nil {
		t.Fatal(err)
	}
	if !heard() {
		t.Fatal("the last job's outcome was not told")
	}
	if heard() {
		t.Fatal("told twice for one change")
	}

	q.NotifyIdle(nil)
	enqueue(t, q, item("_graded/c.mov", 3))
	if err := q.Done(mustLease(t, q), testDelivery); err != nil {
		t.Fatal(err)
	}
	if heard() {
		t.Fatal("told after NotifyIdle(nil)")
	}
}
