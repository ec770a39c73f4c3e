package queue

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestUpcoming: Upcoming lists exactly what the next Leases hand out, in
// that order, across priority classes, leaving the queue as it was; jobs
// not due yet are not listed.
func TestUpcoming(t *testing.T) {
	now := t0
	q := open(t, dbPath(t), Options{Priority: []string{"_thumbnails", "_graded"}, Now: func() time.Time { return now }})
	var items []Item
	for i := range 40 {
		class := []string{"_graded", "_thumbnails", "_other"}[i%3]
		items = append(items, item(fmt.Sprintf("%s/%03d", class, 40-i), int64(i+1)))
	}
	enqueue(t, q, items...)
	retried := mustLease(t, q) // the first thumbnail, due again only later
	if err := q.Retry(retried, now.Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	if got := q.Upcoming(0); got != nil {
		t.Errorf("Upcoming(0) = %v", got)
	}
	for _, n := range []int{1, 5, 14, 39, 100} {
		got := q.Upcoming(n)
		if len(got) != min(n, 39) {
			t.Fatalf("Upcoming(%d) gave %d", n, len(got))
		}
		if n == 100 {
			for _, it := range got {
				if it.Path == retried.Path {
					t.Errorf("a job not due yet is listed: %s", it.Path)
				}
			}
		}
	}
	want := q.Upcoming(39)
	var leased []Item
	for range 39 {
		leased = append(leased, mustLease(t, q).Item)
	}
	if !reflect.DeepEqual(leased, want) {
		t.Errorf("leased\n%v\nUpcoming said\n%v", leased, want)
	}
	if got := q.Upcoming(5); got != nil {
		t.Errorf("all leased: Upcoming = %v", got)
	}
}
