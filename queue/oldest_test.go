package queue

import (
	"testing"
	"time"
)

func TestOldestQueued(t *testing.T) {
	q, err := Open(t.TempDir()+"/q.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, ok := q.OldestQueued(); ok {
		t.Fatal("empty queue: OldestQueued found a job")
	}
	before := time.Now()
	if _, err := q.Enqueue([]Item{{Path: "_graded/a.mov", Size: 1, ModTime: time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	at, ok := q.OldestQueued()
	if !ok || at.Before(before.Add(-time.Second)) || at.After(time.Now()) {
		t.Fatalf("OldestQueued = %v, %v; want about %v", at, ok, before)
	}
	j, err := q.Lease(t.Context(), LeaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.OldestQueued(); ok {
		t.Fatal("the only job is active: OldestQueued still found one")
	}
	if err := q.Done(j, Delivery{Verified: VerifiedNone}); err != nil {
		t.Fatal(err)
	}
	if _, ok := q.OldestQueued(); ok {
		t.Fatal("the only job is done: OldestQueued still found one")
	}
}
