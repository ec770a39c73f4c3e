package queue

import (
	"testing"
	"time"
)

// TestActionFailuresAndDelivered: ActionFailures lists the files whose
// action failed at its last try, newest try first, with the reason and the
// time of that try, across a reopen; a file leaves the list once its
// action is done or a new version of it comes; Delivered says each done
// file's action and where it is.
func TestActionFailuresAndDelivered(t *testing.T) {
	clk := newClock()
	path := dbPath(t)
	q := open(t, path, Options{Now: clk.Now})
	enqueue(t, q, item("_graded/a.mov", 10), item("_graded/b.mov", 20), item("_graded/c.mov", 30), item("_graded/d.mov", 40))
	doneThen(t, q, ActionMove)
	doneThen(t, q, ActionDelete)
	doneThen(t, q, ActionMove)
	if err := q.Done(mustLease(t, q), testDelivery); err != nil { // keep
		t.Fatal(err)
	}
	p := pendingOf(t, q)
	if len(p) != 3 {
		t.Fatalf("pending: %+v", p)
	}
	clk.Set(t0.Add(time.Minute))
	if err := q.Acted(p[0], ActResult{State: ActDone, Dest: "_uploaded/_graded/a.mov"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Acted(p[1], ActResult{State: ActFailed, Reason: "b: permission denied: fix b"}); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(2 * time.Minute))
	if err := q.Acted(p[2], ActResult{State: ActFailed, Reason: "c: no space left on device: free space"}); err != nil {
		t.Fatal(err)
	}
	if fs, err := q.Failures(0); err != nil || len(fs) != 0 {
		t.Errorf("Failures (uploads) = %+v, %v; want none: the uploads succeeded", fs, err)
	}
	want := []Failure{
		{Path: "_graded/c.mov", Error: "c: no space left on device: free space", At: t0.Add(2 * time.Minute), Action: ActionMove},
		{Path: "_graded/b.mov", Error: "b: permission denied: fix b", At: t0.Add(time.Minute), Action: ActionDelete},
	}
	check := func(when string, want []Failure, limit int) {
		t.Helper()
		got, err := q.ActionFailures(limit)
		if err != nil {
			t.Fatalf("%s: ActionFailures: %v", when, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: ActionFailures(%d) = %+v, want %+v", when, limit, got, want)
		}
		for i := range want {
			if got[i].Path != want[i].Path || got[i].Error != want[i].Error || !got[i].At.Equal(want[i].At) || got[i].Action != want[i].Action {
				t.Errorf("%s: [%d] = %+v, want %+v", when, i, got[i], want[i])
			}
		}
	}
	check("after the tries", want, 0)
	check("limit 1", want[:1], 1)

	ds, err := q.Delivered(time.Time{}, "")
	if err != nil || len(ds) != 4 {
		t.Fatalf("Delivered: %+v, %v", ds, err)
	}
	type act struct {
		then   Action
		state  ActState
		dest   string
		reason string
	}
	wantAct := []act{
		{ActionMove, ActDone, "_uploaded/_graded/a.mov", ""},
		{ActionDelete, ActFailed, "", "b: permission denied: fix b"},
		{ActionMove, ActFailed, "", "c: no space left on device: free space"},
		{ActionKeep, 0, "", ""},
	}
	for i, d := range ds {
		if got := (act{d.Then, d.ActState, d.ActDest, d.ActReason}); got != wantAct[i] {
			t.Errorf("Delivered %s: action %+v, want %+v", d.Path, got, wantAct[i])
		}
	}
	if !ds[0].ActAt.Equal(t0.Add(time.Minute)) || !ds[3].ActAt.IsZero() {
		t.Errorf("action times %v, %v", ds[0].ActAt, ds[3].ActAt)
	}

	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = open(t, path, Options{Now: clk.Now})
	check("after a reopen", want, 0)

	clk.Set(t0.Add(3 * time.Minute))
	p = pendingOf(t, q)
	if err := q.Acted(p[0], ActResult{State: ActDone}); err != nil { // b deleted at last
		t.Fatal(err)
	}
	check("b done", want[:1], 0)
	enqueue(t, q, item("_graded/c.mov", 31)) // a new render of c
	check("c replaced", nil, 0)
	checkCounts(t, q)
}
