package queue

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// disk is the writer's seam: while full, every write fails as on a full
// file system.
type disk struct {
	full atomic.Bool
	path string
}

func (d *disk) hook() error {
	if d.full.Load() {
		return &fs.PathError{Op: "write", Path: d.path, Err: syscall.ENOSPC}
	}
	return nil
}

// openFailing opens a queue whose writes fail while d is full and whose
// backoff timers the test fires by hand.
func openFailing(t *testing.T, opts Options) (*Queue, *disk, *timers) {
	t.Helper()
	path := dbPath(t)
	d, tm := &disk{path: path}, newTimers()
	opts.writeHook, opts.afterWrite = d.hook, tm.after
	return open(t, path, opts), d, tm
}

func TestWriteFailureKeepsChanges(t *testing.T) {
	blocked := make(chan struct{}, 1)
	q, d, tm := openFailing(t, Options{blocked: func() { blocked <- struct{}{} }})
	enqueue(t, q, item("a", 1), item("b", 2), item("c", 3))
	a := mustLease(t, q)
	d.full.Store(true)
	if err := q.Done(a, testDelivery); err != nil {
		t.Fatalf("Done while the disk is full: %v", err)
	}
	if got := <-tm.asked; got != retryMin {
		t.Errorf("first retry in %v, want %v", got, retryMin)
	}
	werr := q.WriteError()
	want := "cannot write queue.db in " + filepath.Dir(d.path) + ": no space left on device: free space there; uploads resume by themselves"
	if werr == nil || werr.Error() != want || !errors.Is(werr, syscall.ENOSPC) {
		t.Fatalf("WriteError() = %v, want %q wrapping ENOSPC", werr, want)
	}
	if j, ok := leaseNow(t, q, LeaseOptions{}); ok {
		t.Fatalf("leased %s while writes fail", j.Path)
	}
	res := leaseAsync(t.Context(), q, LeaseOptions{})
	<-blocked
	if n := enqueue(t, q, item("d", 4)); n != 1 {
		t.Errorf("Enqueue while the disk is full added %d", n)
	}
	if c := q.Counts(); c.Done != 1 || c.Queued != 3 {
		t.Errorf("counts in memory %+v", c)
	}
	if recs := diskRecords(t, q); recs["a"].State != Queued || len(recs) != 3 {
		t.Errorf("disk changed while full: %+v", recs)
	}

	d.full.Store(false)
	tm.fire <- t0
	r := <-res
	if r.err != nil || r.j.Path != "b" {
		t.Fatalf("Lease after the disk freed up: %+v, %v", r.j, r.err)
	}
	if err := q.WriteError(); err != nil {
		t.Errorf("WriteError() = %v after a write succeeded", err)
	}
	if err := q.Done(r.j, testDelivery); err != nil {
		t.Fatal(err)
	}
	recs := diskRecords(t, q)
	for p, s := range map[string]State{"a": Done, "b": Done, "c": Queued, "d": Queued} {
		if recs[p].State != s {
			t.Errorf("%s: state %d on disk, want %d", p, recs[p].State, s)
		}
	}
	checkCounts(t, q)
}

func TestWriteFailureBackoff(t *testing.T) {
	q, d, tm := openFailing(t, Options{})
	d.full.Store(true)
	enqueue(t, q, item("a", 1))
	for _, want := range []time.Duration{1, 2, 4, 8, 16, 30, 30} {
		if got := <-tm.asked; got != want*time.Second {
			t.Fatalf("retry in %v, want %v", got, want*time.Second)
		}
		tm.fire <- t0
	}
	if got := <-tm.asked; got != retryMax {
		t.Fatalf("retry in %v, want %v", got, retryMax)
	}
	d.full.Store(false)
	tm.fire <- t0
	if _, err := q.Lease(t.Context(), LeaseOptions{}); err != nil { // the retry that succeeded resumed leasing
		t.Fatal(err)
	}
	d.full.Store(true)
	enqueue(t, q, item("b", 2))
	if got := <-tm.asked; got != retryMin {
		t.Errorf("after a success the backoff starts again at %v, want %v", got, retryMin)
	}
}

// TestWriteFailureCompacts: while writes fail, what is kept is one
// mutation per key, and the end state is the one written in order.
func TestWriteFailureCompacts(t *testing.T) {
	q, d, tm := openFailing(t, Options{})
	d.full.Store(true)
	for size := int64(1); size <= 100; size++ {
		enqueue(t, q, item("a", size)) // a new version each time
	}
	<-tm.asked
	tm.fire <- t0 // fails again: everything kept is merged
	<-tm.asked
	q.mu.Lock()
	ops, muts := len(q.pending), len(q.pending[0].muts)
	q.mu.Unlock()
	if ops != 1 || muts != 101 { // 100 job keys (99 deletes), one paths key
		t.Errorf("kept %d ops, %d mutations; want 1 op of 101", ops, muts)
	}
	d.full.Store(false)
	tm.fire <- t0
	if j, err := q.Lease(t.Context(), LeaseOptions{}); err != nil || j.Size != 100 {
		t.Errorf("leased size %d (%v), want the last version", j.Size, err)
	}
	if recs := diskRecords(t, q); len(recs) != 1 || recs["a"].Size != 100 {
		t.Errorf("records on disk %+v", recs)
	}
}

// TestCloseWhileWritesFail: Close makes one last attempt; if it fails, it
// says so, and what was only in memory is lost: a Done not yet on disk is
// queued again on the next Open, with its attempts unchanged.
func TestCloseWhileWritesFail(t *testing.T) {
	for _, freed := range []bool{false, true} {
		t.Run(fmt.Sprintf("freed=%v", freed), func(t *testing.T) {
			q, d, tm := openFailing(t, Options{})
			enqueue(t, q, item("a", 1))
			d.full.Store(true)
			if err := q.Done(mustLease(t, q), testDelivery); err != nil {
				t.Fatal(err)
			}
			<-tm.asked // the writer waits for its backoff; Close cuts it short
			d.full.Store(!freed)
			err := q.Close()
			if freed != (err == nil) {
				t.Fatalf("Close: %v", err)
			}
			if !freed && (!errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "close queue: changes not written to "+d.path+" are lost")) {
				t.Errorf("Close error %q", err)
			}
			q = open(t, d.path, Options{})
			want := map[bool]State{false: Queued, true: Done}[freed]
			if s, attempts := stateOf(q, "a"); s != want || attempts != 0 {
				t.Errorf("after reopen: state %d, attempts %d; want %d, 0", s, attempts, want)
			}
		})
	}
}

func TestLeaseWhileWritesFailEndsOnContext(t *testing.T) {
	blocked := make(chan struct{}, 1)
	q, d, tm := openFailing(t, Options{blocked: func() { blocked <- struct{}{} }})
	enqueue(t, q, item("a", 1), item("b", 2))
	d.full.Store(true)
	if err := q.Release(mustLease(t, q)); err != nil { // nothing to write
		t.Fatal(err)
	}
	if _, err := q.Requeue(nil); err != nil {
		t.Fatal(err)
	}
	if err := q.Fail(mustLease(t, q), "x"); err != nil {
		t.Fatal(err)
	}
	<-tm.asked
	ctx, cancel := context.WithCancel(t.Context())
	res := leaseAsync(ctx, q, LeaseOptions{})
	<-blocked
	cancel()
	if r := <-res; !errors.Is(r.err, context.Canceled) {
		t.Errorf("Lease = %+v, %v; want context.Canceled", r.j, r.err)
	}
}

func TestWriteErrorAdvice(t *testing.T) {
	const resume = "; uploads resume by themselves"
	pathErr := func(e syscall.Errno) error { return &fs.PathError{Op: "write", Path: "/s/queue.db", Err: e} }
	tests := []struct {
		err  error
		want string
	}{
		{pathErr(syscall.ENOSPC), "no space left on device: free space there" + resume},
		{errors.New("file resize error: no space left on device"), "file resize error: no space left on device: free space there" + resume},
		{pathErr(syscall.EDQUOT), "disk quota exceeded: free space there" + resume},
		{pathErr(syscall.EROFS), "read-only file system: the file system is read-only: make it writable" + resume},
		{pathErr(syscall.EACCES), "permission denied: let the service's user write there" + resume},
		{pathErr(syscall.EIO), "input/output error: check that disk" + resume},
		{fmt.Errorf("%w: invalid page type", errPanicked), "bbolt panicked: invalid page type: the file is damaged: stop the uploader"},
	}
	for _, tt := range tests {
		got := newWriteError("/s/queue.db", tt.err).Error()
		if !strings.HasPrefix(got, "cannot write queue.db in /s: "+tt.want) {
			t.Errorf("%v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestWriteFailuresUnderLoad: workers lease and finish jobs while the
// disk fills and frees three times; nothing is lost and no job is leased
// twice.
func TestWriteFailuresUnderLoad(t *testing.T) {
	q, d, tm := openFailing(t, Options{})
	total := 400
	enqueue(t, q, loadItems(0, total)...)
	leases, finished := countLeases(t, q, 4)
	for range 3 {
		for range 50 {
			<-finished
		}
		d.full.Store(true)
		<-tm.asked
		total += 100
		enqueue(t, q, loadItems(total-100, total)...)
		d.full.Store(false)
		tm.fire <- t0
	}
	checkAllDone(t, q, d.path, leases, finished, total)
}
