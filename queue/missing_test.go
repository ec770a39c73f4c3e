package queue

import (
	"testing"
	"time"
)

// absentAll and presentAll are the keep functions of a scan that finds
// nothing (a volume unplugged) and of one that finds everything.
var (
	absentAll  = func(string) bool { return false }
	presentAll = func(string) bool { return true }
)

func mustPrune(t *testing.T, q *Queue, keep func(string) bool) int {
	t.Helper()
	n, err := q.Prune(keep, []string{"_graded/"})
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	return n
}

// missingOf is path's missing mark in memory and on disk.
func missingOf(t *testing.T, q *Queue, path string) (mem, disk time.Time) {
	t.Helper()
	q.mu.Lock()
	e := q.byPath[path]
	mem = e.missing()
	q.mu.Unlock()
	r := diskRecords(t, q)[path]
	return mem, r.missing()
}

// TestPruneKeepsMissingDone: a scan that does not find a done file marks
// its record and keeps it; so do later scans until KeepMissing has passed
// since the first, across a restart; then it is dropped. A queued, failed
// or gone record of a missing file is dropped at the first scan.
func TestPruneKeepsMissingDone(t *testing.T) {
	clk := newClock()
	path := dbPath(t)
	opts := Options{Now: clk.Now, KeepMissing: 48 * time.Hour}
	q := open(t, path, opts)
	bring(t, q, Done)
	enqueue(t, q, item("_graded/queued.mov", 2))
	if n := mustPrune(t, q, absentAll); n != 1 {
		t.Errorf("first prune dropped %d, want 1 (the queued job)", n)
	}
	if mem, disk := missingOf(t, q, pathA); !mem.Equal(t0) || !disk.Equal(t0) {
		t.Errorf("mark %v in memory, %v on disk; want %v", mem, disk, t0)
	}
	if c := q.Counts(); c.Done != 1 || c.Missing != 1 || c.Queued != 0 {
		t.Errorf("counts %+v", c)
	}
	checkCounts(t, q)

	clk.Set(t0.Add(47 * time.Hour))
	if n := mustPrune(t, q, absentAll); n != 0 {
		t.Errorf("prune before KeepMissing dropped %d", n)
	}
	if mem, _ := missingOf(t, q, pathA); !mem.Equal(t0) {
		t.Errorf("a later scan moved the mark to %v", mem)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = open(t, path, opts)
	if c := q.Counts(); c.Missing != 1 {
		t.Errorf("after reopen: counts %+v", c)
	}
	clk.Set(t0.Add(48*time.Hour - time.Nanosecond))
	if n := mustPrune(t, q, absentAll); n != 0 {
		t.Errorf("prune a nanosecond before KeepMissing dropped %d", n)
	}
	clk.Set(t0.Add(48 * time.Hour))
	if n := mustPrune(t, q, absentAll); n != 1 {
		t.Errorf("prune at KeepMissing dropped %d, want 1", n)
	}
	if s, _ := stateOf(q, pathA); s != 0 {
		t.Errorf("state %d after KeepMissing, want no record", s)
	}
	checkCounts(t, q)
}

// TestPruneDefaultKeepMissing: without Options.KeepMissing a mark holds
// for a week.
func TestPruneDefaultKeepMissing(t *testing.T) {
	clk := newClock()
	q := open(t, dbPath(t), Options{Now: clk.Now})
	bring(t, q, Done)
	mustPrune(t, q, absentAll)
	clk.Set(t0.Add(DefaultKeepMissing - time.Second))
	if n := mustPrune(t, q, absentAll); n != 0 {
		t.Errorf("dropped %d before a week", n)
	}
	clk.Set(t0.Add(DefaultKeepMissing))
	if n := mustPrune(t, q, absentAll); n != 1 {
		t.Errorf("dropped %d after a week, want 1", n)
	}
}

// TestMissingMarkCleared: a scan that finds the file again, or an Enqueue
// of the same version, clears the mark, on disk too; the file is not
// queued, and the next absence starts a new KeepMissing.
func TestMissingMarkCleared(t *testing.T) {
	tests := []struct {
		name  string
		found func(t *testing.T, q *Queue)
	}{
		{"by a scan", func(t *testing.T, q *Queue) {
			if n := mustPrune(t, q, presentAll); n != 0 {
				t.Errorf("prune dropped %d", n)
			}
		}},
		{"by enqueue", func(t *testing.T, q *Queue) {
			if n := enqueue(t, q, item(pathA, 1)); n != 0 {
				t.Errorf("enqueue of the done version added %d", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			q := open(t, dbPath(t), Options{Now: clk.Now, KeepMissing: time.Hour})
			bring(t, q, Done)
			mustPrune(t, q, absentAll)
			clk.Set(t0.Add(30 * time.Minute))
			tt.found(t, q)
			if mem, disk := missingOf(t, q, pathA); !mem.IsZero() || !disk.IsZero() {
				t.Errorf("mark %v in memory, %v on disk; want cleared", mem, disk)
			}
			if c := q.Counts(); c.Done != 1 || c.Missing != 0 || c.Queued != 0 {
				t.Errorf("counts %+v", c)
			}
			checkCounts(t, q)
			clk.Set(t0.Add(61 * time.Minute)) // past the first mark's hour
			if n := mustPrune(t, q, absentAll); n != 0 {
				t.Errorf("a new absence dropped %d: the old mark counted", n)
			}
			if mem, _ := missingOf(t, q, pathA); !mem.Equal(t0.Add(61 * time.Minute)) {
				t.Errorf("new mark %v", mem)
			}
		})
	}
}

// TestMissingFileChanged: a missing done file that comes back changed is
// a new version, queued as usual.
func TestMissingFileChanged(t *testing.T) {
	q := open(t, dbPath(t), Options{Now: newClock().Now})
	bring(t, q, Done)
	mustPrune(t, q, absentAll)
	if n := enqueue(t, q, item(pathA, 2)); n != 1 {
		t.Errorf("added %d, want 1", n)
	}
	if c := q.Counts(); c.Queued != 1 || c.Done != 0 || c.Missing != 0 {
		t.Errorf("counts %+v", c)
	}
	checkCounts(t, q)
}

// TestPruneRevivesGoneWhoseFileIsThere: a job the uploader found gone
// (its folder was away for less than a poll) is queued again by the next
// scan that finds its file, and stays gone while the file is absent.
func TestPruneRevivesGoneWhoseFileIsThere(t *testing.T) {
	q := open(t, dbPath(t), Options{Now: newClock().Now})
	bring(t, q, Gone)
	if n := mustPrune(t, q, presentAll); n != 0 {
		t.Errorf("prune dropped %d", n)
	}
	if c := q.Counts(); c.Queued != 1 || c.Gone != 0 {
		t.Errorf("counts after a scan found the file: %+v, want it queued again", c)
	}
	checkCounts(t, q)
	if rec := diskRecords(t, q)[pathA]; rec.State != Queued {
		t.Errorf("on disk the record is %v, want queued", rec.State)
	}
}
