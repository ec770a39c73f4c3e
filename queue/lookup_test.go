package queue

import (
	"testing"
	"time"
)

// TestLookup: every state as Lookup gives it, with a queued job's place
// in its class (priority classes apart, a retry waiting at 0), a done
// job's delivery and action, and a failed job's reason and attempts;
// across a reopen too, where only the durable part remains.
func TestLookup(t *testing.T) {
	clk := newClock()
	path := dbPath(t)
	q := open(t, path, Options{Priority: []string{"_thumbnails", "_graded"}, Now: clk.Now})
	enqueue(t, q, item("_graded/a.mov", 1), item("_thumbnails/t.jpg", 2))
	// Lease order: the thumbnail first, then a.mov.
	if j := mustLease(t, q); j.Path != "_thumbnails/t.jpg" {
		t.Fatalf("first lease %s", j.Path)
	}
	ja := mustLease(t, q)
	d := testDelivery
	d.Then, d.FileID = ActionMove, testFileID
	if err := q.Done(ja, d); err != nil {
		t.Fatal(err)
	}
	enqueue(t, q, item("_graded/b.mov", 3), item("_graded/c.mov", 4), item("_graded/f.mov", 5), item("_graded/r.mov", 6))
	var leased []Job
	for range 4 {
		leased = append(leased, mustLease(t, q))
	}
	// b, c back (c first: position follows enqueue order, not the order put back); f failed, r retry later.
	for _, j := range leased {
		var err error
		switch j.Path {
		case "_graded/b.mov", "_graded/c.mov":
			err = q.Release(j)
		case "_graded/f.mov":
			err = q.Fail(j, "403 Forbidden: the storage refused the file")
		case "_graded/r.mov":
			err = q.Retry(j, t0.Add(time.Hour), "503 Slow Down")
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		path  string
		state State
		check func(t *testing.T, r Record)
	}{
		{"_thumbnails/t.jpg", Active, nil},
		{"_graded/b.mov", Queued, func(t *testing.T, r Record) {
			if r.Class != "_graded" || r.Position != 1 || r.Of != 2 {
				t.Errorf("class %q position %d of %d, want _graded 1 of 2", r.Class, r.Position, r.Of)
			}
		}},
		{"_graded/c.mov", Queued, func(t *testing.T, r Record) {
			if r.Position != 2 || r.Of != 2 {
				t.Errorf("position %d of %d, want 2 of 2", r.Position, r.Of)
			}
		}},
		{"_graded/r.mov", Queued, func(t *testing.T, r Record) {
			if r.Position != 0 || !r.NotBefore.Equal(t0.Add(time.Hour)) || r.Attempts != 1 || r.LastError != "503 Slow Down" {
				t.Errorf("retry: position %d not before %v attempts %d error %q", r.Position, r.NotBefore, r.Attempts, r.LastError)
			}
		}},
		{"_graded/f.mov", Failed, func(t *testing.T, r Record) {
			if r.Attempts != 1 || r.LastError != "403 Forbidden: the storage refused the file" || r.At.IsZero() {
				t.Errorf("failed: attempts %d error %q at %v", r.Attempts, r.LastError, r.At)
			}
		}},
		{"_graded/a.mov", Done, func(t *testing.T, r Record) {
			if r.Delivery.MD5 != testDelivery.MD5 || r.Delivery.Verified != VerifiedETag ||
				r.Delivery.Then != ActionMove || r.ActState != ActPending || r.Size != 1 {
				t.Errorf("done: %+v", r)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r, ok, err := q.Lookup(c.path)
			if err != nil || !ok {
				t.Fatalf("Lookup: ok %v err %v", ok, err)
			}
			if r.State != c.state || r.Path != c.path {
				t.Fatalf("state %v path %s, want %v", r.State, r.Path, c.state)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
	if _, ok, err := q.Lookup("_graded/none.mov"); ok || err != nil {
		t.Errorf("unknown path: ok %v err %v", ok, err)
	}

	// The retry's time passes: due, last of its class until a lease promotes it.
	clk.Set(t0.Add(2 * time.Hour))
	if r, _, _ := q.Lookup("_graded/r.mov"); r.Position != 3 || r.Of != 3 {
		t.Errorf("retry due: position %d of %d, want 3 of 3", r.Position, r.Of)
	}

	// The action done: its state, time and destination.
	pa := pendingOf(t, q)
	if len(pa) != 1 {
		t.Fatalf("pending actions %d", len(pa))
	}
	if err := q.Acted(pa[0], ActResult{State: ActDone, Dest: "_uploaded/_graded/a.mov"}); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := q.Lookup("_graded/a.mov"); r.ActState != ActDone || r.ActDest != "_uploaded/_graded/a.mov" || r.ActAt.IsZero() {
		t.Errorf("acted: %+v", r)
	}

	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Lookup("_graded/a.mov"); err != ErrClosed {
		t.Errorf("Lookup after Close: %v, want ErrClosed", err)
	}
	q2 := open(t, path, Options{Priority: []string{"_thumbnails", "_graded"}, Now: clk.Now})
	// The active lease went back to the queue with the close.
	if r, ok, _ := q2.Lookup("_thumbnails/t.jpg"); !ok || r.State != Queued || r.Class != "_thumbnails" || r.Position != 1 {
		t.Errorf("after reopen, the leased thumbnail: %+v", r)
	}
	if r, _, _ := q2.Lookup("_graded/f.mov"); r.State != Failed || r.LastError == "" {
		t.Errorf("after reopen, the failure: %+v", r)
	}
}
