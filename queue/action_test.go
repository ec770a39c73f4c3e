package queue

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

var testFileID = [16]byte{0, 0, 0, 0, 0, 0, 8, 3, 0, 0, 0, 0, 0, 1, 0xe2, 0x40}

// doneThen leases the next job and records it done with action a.
func doneThen(t *testing.T, q *Queue, a Action) Job {
	t.Helper()
	j := mustLease(t, q)
	d := testDelivery
	d.Then, d.FileID = a, testFileID
	if err := q.Done(j, d); err != nil {
		t.Fatalf("Done: %v", err)
	}
	return j
}

func pendingOf(t *testing.T, q *Queue) []PendingAction {
	t.Helper()
	p, err := q.PendingActions()
	if err != nil {
		t.Fatalf("PendingActions: %v", err)
	}
	return p
}

// TestActionPendingSurvivesReopen: the action a Done asks for is on disk
// with the Done, pending, so a crash before it is carried out leaves it
// to do at the next Open; once acted, it is not listed again, across a
// reopen too, and the file version stays done.
func TestActionPendingSurvivesReopen(t *testing.T) {
	path := dbPath(t)
	q := open(t, path, Options{})
	enqueue(t, q, item("_graded/a.mov", 10), item("_graded/b.mov", 20), item("_graded/c.mov", 30))
	doneThen(t, q, ActionMove)
	doneThen(t, q, ActionDelete)
	if err := q.Done(mustLease(t, q), testDelivery); err != nil { // keep: no action
		t.Fatal(err)
	}
	if c := q.ActionCounts(); c != (ActionCounts{Pending: 2}) {
		t.Errorf("counts %+v, want 2 pending", c)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != 4 {
		t.Errorf("schema version %d after a Done with an action, want 4", v)
	}

	q = open(t, path, Options{})
	p := pendingOf(t, q)
	if len(p) != 2 || p[0].Path != "_graded/a.mov" || p[0].Action != ActionMove || p[1].Action != ActionDelete {
		t.Fatalf("pending after reopen: %+v", p)
	}
	if p[0].FileID != testFileID || p[0].State != ActPending || p[0].Size != 10 || p[0].MD5 != testDelivery.MD5 {
		t.Errorf("pending a.mov: %+v", p[0])
	}
	if err := q.Acted(p[0], ActResult{State: ActDone, Dest: "_uploaded/_graded/a.mov"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Acted(p[1], ActResult{State: ActFailed, Reason: "permission denied"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Acted(p[0], ActResult{State: ActDone}); !errors.Is(err, ErrNoAction) {
		t.Errorf("second Acted of a done action: %v, want ErrNoAction", err)
	}
	checkCounts(t, q)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}

	q = open(t, path, Options{})
	p = pendingOf(t, q)
	if len(p) != 1 || p[0].Path != "_graded/b.mov" || p[0].State != ActFailed || p[0].Reason != "permission denied" {
		t.Fatalf("pending after the second reopen: %+v", p)
	}
	if c := q.ActionCounts(); c != (ActionCounts{Failed: 1, Done: 1}) {
		t.Errorf("counts %+v, want 1 failed, 1 done", c)
	}
	r := diskRecords(t, q)["_graded/a.mov"]
	if a := r.act(); a == nil || a.state != ActDone || a.dest != "_uploaded/_graded/a.mov" || a.fileID != "" {
		t.Errorf("a.mov's stored action: %+v", a)
	}
	if s, _ := stateOf(q, "_graded/a.mov"); s != Done {
		t.Errorf("a.mov is %v, want Done", s)
	}
	// The same version seen again (moved back by hand) is not queued.
	if n := enqueue(t, q, item("_graded/a.mov", 10)); n != 0 {
		t.Errorf("the acted version enqueued again: %d added", n)
	}
}

// TestPruneKeepsActedRecords: a file moved or deleted by its action is not
// "missing" (no volume went away); its record stays for the report and is
// dropped KeepMissing after the action.
func TestPruneKeepsActedRecords(t *testing.T) {
	clk := newClock()
	q := open(t, dbPath(t), Options{Now: clk.Now, KeepMissing: time.Hour})
	enqueue(t, q, item("_graded/a.mov", 10), item("_graded/b.mov", 20))
	doneThen(t, q, ActionDelete)
	doneThen(t, q, ActionDelete)
	p := pendingOf(t, q)
	if err := q.Acted(p[0], ActResult{State: ActDone}); err != nil {
		t.Fatal(err)
	}
	none := func(string) bool { return false }
	mustPrune(t, q, none)
	if c := q.Counts(); c.Done != 2 || c.Missing != 1 {
		t.Errorf("after the first scan: %+v, want 2 done, 1 missing (b.mov, not acted on)", c)
	}
	if mem, disk := missingOf(t, q, "_graded/a.mov"); !mem.IsZero() || !disk.IsZero() {
		t.Errorf("deleted by its action, yet marked missing at %v / %v", mem, disk)
	}
	clk.Set(t0.Add(59 * time.Minute))
	if n := mustPrune(t, q, none); n != 0 {
		t.Errorf("dropped %d before the keep time", n)
	}
	clk.Set(t0.Add(time.Hour))
	if n := mustPrune(t, q, none); n != 2 {
		t.Errorf("dropped %d at the keep time, want 2", n)
	}
	checkCounts(t, q)
}

// TestNewVersionReplacesPendingAction: a new version of the file (a new
// render under the same name) replaces the record, and with it the
// action; Acted for the old one changes nothing.
func TestNewVersionReplacesPendingAction(t *testing.T) {
	q := open(t, dbPath(t), Options{})
	enqueue(t, q, item("_graded/a.mov", 10))
	doneThen(t, q, ActionMove)
	old := pendingOf(t, q)[0]
	enqueue(t, q, item("_graded/a.mov", 11))
	if p := pendingOf(t, q); len(p) != 0 {
		t.Errorf("pending after a new version: %+v", p)
	}
	if err := q.Acted(old, ActResult{State: ActDone}); !errors.Is(err, ErrNoAction) {
		t.Errorf("Acted of a replaced version: %v, want ErrNoAction", err)
	}
	if s, _ := stateOf(q, "_graded/a.mov"); s != Queued {
		t.Errorf("new version is %v, want Queued", s)
	}
	if c := q.ActionCounts(); c != (ActionCounts{}) {
		t.Errorf("action counts %+v, want none", c)
	}
}

func TestDoneRefusesActionWithoutIdentity(t *testing.T) {
	q := open(t, dbPath(t), Options{})
	enqueue(t, q, item("_graded/a.mov", 10))
	j := mustLease(t, q)
	d := testDelivery
	d.Then = ActionDelete
	if err := q.Done(j, d); !errors.Is(err, ErrDelivery) {
		t.Errorf("Done with an action and no identity: %v, want ErrDelivery", err)
	}
	if err := q.Done(j, testDelivery); err != nil {
		t.Errorf("the lease must still hold: %v", err)
	}
}

func TestActionRecordRoundTrip(t *testing.T) {
	acts := []actionExt{
		{action: ActionMove, state: ActPending, fileID: string(testFileID[:])},
		{action: ActionDelete, state: ActFailed, at: t0, fileID: string(testFileID[:])},
		{action: ActionMove, state: ActDone, at: t0.Add(time.Second), dest: "_uploaded/_graded/a (2).mov"},
		{action: ActionDelete, state: ActSkipped, at: t0},
	}
	for _, a := range acts {
		r := recordV1Want()
		r.State = Done
		s, err := storeDelivery(testDelivery)
		if err != nil {
			t.Fatal(err)
		}
		r.setDelivery(s)
		r.setAct(&a)
		b := encodeRecord(&r)
		if b[0] != recordFormat4 || recordVersion(b) != 4 {
			t.Errorf("%+v: format %d, version %d; want 4", a, b[0], recordVersion(b))
		}
		got, err := decodeRecord([]byte("k"), b)
		if err != nil {
			t.Fatalf("%+v: decode: %v", a, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip\n%+v\nwant\n%+v", got.act(), r.act())
		}
	}
}

// TestDecodeRejectsFormat4: the action fields are checked like the rest.
func TestDecodeRejectsFormat4(t *testing.T) {
	bad := map[string]actionExt{
		"no action":          {action: ActionKeep, state: ActPending, fileID: string(testFileID[:])},
		"unknown state":      {action: ActionMove, state: actLimit, fileID: string(testFileID[:])},
		"pending without id": {action: ActionMove, state: ActPending},
		"short id":           {action: ActionDelete, state: ActSkipped, fileID: "abc"},
		"dest of a delete":   {action: ActionDelete, state: ActDone, dest: "x"},
		"dest while pending": {action: ActionMove, state: ActPending, fileID: string(testFileID[:]), dest: "x"},
	}
	for name, a := range bad {
		r := recordV1Want()
		r.State = Done
		s, _ := storeDelivery(testDelivery)
		r.setDelivery(s)
		r.setAct(&a)
		if _, err := decodeRecord([]byte("k"), encodeRecord(&r)); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: decode gave %v, want corrupt", name, err)
		}
	}
}
