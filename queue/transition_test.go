package queue

import (
	"testing"
)

const pathA = "_graded/a.mov"

// bring enqueues pathA (size 1) and moves it to state s. It returns the
// job's last lease (zero for Queued); for Done, Failed and Gone that lease
// is spent.
func bring(t *testing.T, q *Queue, s State) Job {
	t.Helper()
	enqueue(t, q, item(pathA, 1))
	if s == Queued {
		return Job{}
	}
	j := mustLease(t, q)
	var err error
	switch s {
	case Done:
		err = q.Done(j, testDelivery)
	case Failed:
		err = q.Fail(j, "boom")
	case Gone:
		err = q.Gone(j)
	}
	if err != nil {
		t.Fatalf("bring to %d: %v", s, err)
	}
	return j
}

func TestTransitions(t *testing.T) {
	type action func(q *Queue, j Job) (int, error)
	noCount := func(f func(q *Queue, j Job) error) action {
		return func(q *Queue, j Job) (int, error) { return 0, f(q, j) }
	}
	var (
		done    = noCount(func(q *Queue, j Job) error { return q.Done(j, testDelivery) })
		retry   = noCount(func(q *Queue, j Job) error { return q.Retry(j, t0, "503") })
		fail    = noCount(func(q *Queue, j Job) error { return q.Fail(j, "403") })
		gone    = noCount(func(q *Queue, j Job) error { return q.Gone(j) })
		release = noCount(func(q *Queue, j Job) error { return q.Release(j) })
		changed = noCount(func(q *Queue, j Job) error { return q.Changed(j) })
		same    = func(q *Queue, _ Job) (int, error) { return q.Enqueue([]Item{item(pathA, 1)}) }
		newer   = func(q *Queue, _ Job) (int, error) { return q.Enqueue([]Item{item(pathA, 2)}) }
		sameNFD = func(q *Queue, _ Job) (int, error) { return q.Enqueue([]Item{nfdItem(pathA, 1)}) }
		// goneTwice: the file came back, was found missing again, and
		// came back once more.
		goneTwice = func(q *Queue, _ Job) (int, error) {
			if _, err := q.Enqueue([]Item{item(pathA, 1)}); err != nil {
				return 0, err
			}
			j, _, err := q.tryLease("")
			if err == nil {
				err = q.Gone(j)
			}
			if err != nil {
				return 0, err
			}
			return q.Enqueue([]Item{item(pathA, 1)})
		}
		requeue  = func(q *Queue, _ Job) (int, error) { return q.Requeue(nil) }
		reqOther = func(q *Queue, _ Job) (int, error) { return q.Requeue([]string{"_graded/b.mov"}) }
		reqA     = func(q *Queue, _ Job) (int, error) { return q.Requeue([]string{pathA, pathA}) }
		prune    = func(q *Queue, _ Job) (int, error) {
			return q.Prune(func(string) bool { return false }, []string{"_graded/"})
		}
		pruneKeep = func(q *Queue, _ Job) (int, error) {
			return q.Prune(func(string) bool { return true }, []string{"_graded/"})
		}
		pruneElse = func(q *Queue, _ Job) (int, error) {
			return q.Prune(func(string) bool { return false }, []string{"_thumbnails/"})
		}
		// newerThenDone: a new version arrives while the old one uploads;
		// the old upload's Done must not mark the new version done.
		newerThenDone = func(q *Queue, j Job) (int, error) {
			if _, err := q.Enqueue([]Item{item(pathA, 2)}); err != nil {
				return 0, err
			}
			return 0, q.Done(j, testDelivery)
		}
		releaseThenDone = func(q *Queue, j Job) (int, error) {
			if err := q.Release(j); err != nil {
				return 0, err
			}
			return 0, q.Done(j, testDelivery)
		}
	)
	tests := []struct {
		name     string
		from     State
		act      action
		wantN    int
		wantErr  error
		want     State // 0: no record
		attempts int
		size     int64 // of the record left; 0 means 1
	}{
		{"queued/enqueue same", Queued, same, 0, nil, Queued, 0, 0},
		{"queued/enqueue newer", Queued, newer, 1, nil, Queued, 0, 2},
		{"queued/enqueue same, other disk spelling", Queued, sameNFD, 0, nil, Queued, 0, 0},
		{"queued/done without lease", Queued, done, 0, ErrStale, Queued, 0, 0},
		{"queued/prune", Queued, prune, 1, nil, 0, 0, 0},
		{"active/done", Active, done, 0, nil, Done, 0, 0},
		{"active/retry", Active, retry, 0, nil, Queued, 1, 0},
		{"active/fail", Active, fail, 0, nil, Failed, 1, 0},
		{"active/gone", Active, gone, 0, nil, Gone, 0, 0},
		{"active/release", Active, release, 0, nil, Queued, 0, 0},
		{"active/changed", Active, changed, 0, nil, 0, 0, 0},
		{"active/enqueue same", Active, same, 0, nil, Active, 0, 0},
		{"active/enqueue newer", Active, newer, 1, nil, Queued, 0, 2},
		{"active/enqueue same, other disk spelling", Active, sameNFD, 0, nil, Active, 0, 0},
		{"active/newer then old done", Active, newerThenDone, 0, ErrStale, Queued, 0, 2},
		{"active/release then done", Active, releaseThenDone, 0, ErrStale, Queued, 0, 0},
		{"active/prune skips", Active, prune, 0, nil, Active, 0, 0},
		{"done/done again", Done, done, 0, ErrStale, Done, 0, 0},
		{"done/retry stale", Done, retry, 0, ErrStale, Done, 0, 0},
		{"done/enqueue same", Done, same, 0, nil, Done, 0, 0},
		{"done/enqueue newer", Done, newer, 1, nil, Queued, 0, 2},
		{"done/enqueue same, other disk spelling", Done, sameNFD, 0, nil, Done, 0, 0},
		{"done/prune marks missing", Done, prune, 0, nil, Done, 0, 0},
		{"done/prune kept", Done, pruneKeep, 0, nil, Done, 0, 0},
		{"done/prune other prefix", Done, pruneElse, 0, nil, Done, 0, 0},
		{"failed/enqueue same", Failed, same, 0, nil, Failed, 1, 0},
		{"failed/enqueue same, other disk spelling", Failed, sameNFD, 0, nil, Failed, 1, 0},
		{"failed/enqueue newer", Failed, newer, 1, nil, Queued, 0, 2},
		{"failed/requeue all", Failed, requeue, 1, nil, Queued, 0, 0},
		{"failed/requeue path twice", Failed, reqA, 1, nil, Queued, 0, 0},
		{"failed/requeue other", Failed, reqOther, 0, nil, Failed, 1, 0},
		{"failed/fail stale", Failed, fail, 0, ErrStale, Failed, 1, 0},
		{"failed/prune", Failed, prune, 1, nil, 0, 0, 0},
		{"gone/enqueue same", Gone, same, 1, nil, Queued, 0, 0},
		{"gone/enqueue newer", Gone, newer, 1, nil, Queued, 0, 2},
		{"gone/enqueue same, other disk spelling", Gone, sameNFD, 1, nil, Queued, 0, 0},
		{"gone/back, gone again, back", Gone, goneTwice, 1, nil, Queued, 0, 0},
		{"gone/requeue skips", Gone, requeue, 0, nil, Gone, 0, 0},
		{"gone/release stale", Gone, release, 0, ErrStale, Gone, 0, 0},
		{"gone/prune", Gone, prune, 1, nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := dbPath(t)
			q := open(t, path, Options{Now: newClock().Now})
			j := bring(t, q, tt.from)
			n, err := tt.act(q, j)
			if !isErr(err, tt.wantErr) || n != tt.wantN {
				t.Fatalf("got n=%d err=%v, want n=%d err=%v", n, err, tt.wantN, tt.wantErr)
			}
			checkState(t, q, tt.want, tt.attempts, tt.size)
			checkCounts(t, q)
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			// After a restart a lease is gone: Active comes back Queued.
			want := tt.want
			if want == Active {
				want = Queued
			}
			q = open(t, path, Options{Now: newClock().Now})
			checkState(t, q, want, tt.attempts, tt.size)
			checkCounts(t, q)
		})
	}
}

func checkState(t *testing.T, q *Queue, want State, attempts int, size int64) {
	t.Helper()
	s, a := stateOf(q, pathA)
	if s != want || a != attempts {
		t.Errorf("state %d attempts %d, want %d and %d", s, a, want, attempts)
	}
	if want == 0 {
		return
	}
	if size == 0 {
		size = 1
	}
	if r := diskRecords(t, q)[pathA]; r.Size != size {
		t.Errorf("record size %d, want %d", r.Size, size)
	}
}
