package queue

import (
	"fmt"
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

// BenchmarkOldestQueued100k is the scrape's cost of the oldest queued
// age over a queue of 100,000 queued jobs.
func BenchmarkOldestQueued100k(b *testing.B) {
	q, err := Open(b.TempDir()+"/q.db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	items := make([]Item, 100_000)
	for i := range items {
		items[i] = Item{Path: fmt.Sprintf("_graded/Day01/%06d.mov", i), Size: 1, ModTime: time.Unix(1, 0)}
	}
	if _, err := q.Enqueue(items); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := q.OldestQueued(); !ok {
			b.Fatal("nothing queued")
		}
	}
}
