package queue

import (
	"testing"
)

// TestEnqueueDiskSpelling: the disk spelling travels with the job, is kept
// across a restart, and an Enqueue of the same version with another
// spelling updates it in every state without queueing anything again.
func TestEnqueueDiskSpelling(t *testing.T) {
	for _, from := range []State{Queued, Active, Done, Failed, Gone} {
		t.Run(stateName(from), func(t *testing.T) {
			path := dbPath(t)
			q := open(t, path, Options{Now: newClock().Now})
			bring(t, q, from)
			n, err := q.Enqueue([]Item{nfdItem(pathA, 1)})
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1}[from == Gone]; n != want {
				t.Errorf("added %d, want %d", n, want)
			}
			want := pathA + ".nfd"
			if r := diskRecords(t, q)[pathA]; r.disk() != want {
				t.Errorf("record Disk %q, want %q", r.disk(), want)
			}
			checkCounts(t, q)
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			q = open(t, path, Options{Now: newClock().Now})
			if from == Queued || from == Active || from == Gone {
				if j := mustLease(t, q); j.Disk != want {
					t.Errorf("leased Disk %q, want %q", j.Disk, want)
				}
			} else if e := q.byPath[pathA]; e.disk() != want || e.State != from {
				t.Errorf("after reopen: state %d Disk %q", e.State, e.disk())
			}
		})
	}
}

func stateName(s State) string {
	return map[State]string{Queued: "queued", Active: "active", Done: "done", Failed: "failed", Gone: "gone"}[s]
}

// TestDiskSameAsPath: a Disk equal to Path is stored as "" (format 1), and
// a spelling already recorded writes nothing when enqueued again.
func TestDiskSameAsPath(t *testing.T) {
	writes := 0
	q := open(t, dbPath(t), Options{writeHook: func() error { writes++; return nil }})
	it := item(pathA, 1)
	it.Disk = pathA
	enqueue(t, q, it)
	if r := diskRecords(t, q)[pathA]; r.disk() != "" {
		t.Errorf("Disk %q stored, want \"\"", r.disk())
	}
	if j := mustLease(t, q); j.Disk != "" {
		t.Errorf("leased Disk %q, want \"\"", j.Disk)
	}
	before := writes
	enqueue(t, q, it)
	enqueue(t, q, item(pathA, 1))
	if writes != before {
		t.Errorf("%d writes for enqueues that change nothing", writes-before)
	}
	enqueue(t, q, nfdItem(pathA, 1))
	enqueue(t, q, nfdItem(pathA, 1))
	if writes != before+1 {
		t.Errorf("%d writes for one new spelling enqueued twice, want 1", writes-before)
	}
}

// TestGoneUnderOldSpelling: a worker that leased the job before a new
// spelling arrived looks under the old one and reports Gone; the job is
// due again at once, with the new spelling, instead of being lost.
func TestGoneUnderOldSpelling(t *testing.T) {
	path := dbPath(t)
	q := open(t, path, Options{Now: newClock().Now})
	enqueue(t, q, item(pathA, 1))
	old := mustLease(t, q)
	if n := enqueue(t, q, nfdItem(pathA, 1)); n != 0 {
		t.Errorf("a new spelling of the leased version added %d", n)
	}
	if err := q.Gone(old); err != nil {
		t.Fatal(err)
	}
	j := mustLease(t, q)
	if j.Disk != pathA+".nfd" || j.ID != old.ID || j.Attempts != 0 {
		t.Errorf("leased again %+v", j)
	}
	if err := q.Gone(j); err != nil {
		t.Fatal(err)
	}
	if s, _ := stateOf(q, pathA); s != Gone {
		t.Errorf("state %d after Gone under the current spelling, want Gone", s)
	}
	checkCounts(t, q)
}
