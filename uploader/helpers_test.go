package uploader

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

// waitLimit bounds every wait in these tests; reaching it is a failure.
const waitLimit = 30 * time.Second

// event is one outcome the uploader handed to the queue.
type event struct {
	kind   string // done, retry, fail, gone, release, changed
	job    queue.Job
	at     time.Time // retry time
	reason string
	when   time.Time // when it was recorded
}

// recorder wraps the real queue and keeps each outcome, never blocking
// the uploader (a spinning pool must fail a test, not wedge it).
type recorder struct {
	Jobs
	mu     sync.Mutex
	events []event
	taken  []bool
	wake   chan struct{} // capacity 1: "something was added"
	// deliveries are the Delivery of each path's last Done.
	deliveries map[string]queue.Delivery
}

func (r *recorder) note(kind string, j queue.Job, at time.Time, reason string, err error) error {
	r.mu.Lock()
	r.events = append(r.events, event{kind: kind, job: j, at: at, reason: reason, when: time.Now()})
	r.taken = append(r.taken, false)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return err
}

// delivery is the Delivery of rel's last Done.
func (r *recorder) delivery(rel string) queue.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.deliveries[rel]
}

// take returns the oldest outcome of rel not taken yet.
func (r *recorder) take(rel string) (event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, ev := range r.events {
		if !r.taken[i] && ev.job.Path == rel {
			r.taken[i] = true
			return ev, true
		}
	}
	return event{}, false
}

func (r *recorder) Done(j queue.Job, d queue.Delivery) error {
	r.mu.Lock()
	if r.deliveries == nil {
		r.deliveries = map[string]queue.Delivery{}
	}
	r.deliveries[j.Path] = d
	r.mu.Unlock()
	return r.note("done", j, time.Time{}, "", r.Jobs.Done(j, d))
}
func (r *recorder) Gone(j queue.Job) error { return r.note("gone", j, time.Time{}, "", r.Jobs.Gone(j)) }
func (r *recorder) Release(j queue.Job) error {
	return r.note("release", j, time.Time{}, "", r.Jobs.Release(j))
}
func (r *recorder) Changed(j queue.Job) error {
	return r.note("changed", j, time.Time{}, "", r.Jobs.Changed(j))
}
func (r *recorder) Retry(j queue.Job, at time.Time, reason string) error {
	return r.note("retry", j, at, reason, r.Jobs.Retry(j, at, reason))
}
func (r *recorder) Fail(j queue.Job, reason string) error {
	return r.note("fail", j, time.Time{}, reason, r.Jobs.Fail(j, reason))
}

// env is one uploader under test: a watch root, the real queue wrapped in
// a recorder, storage and a signer.
type env struct {
	t      *testing.T
	root   string
	q      *queue.Queue
	rec    *recorder
	st     *storage
	signer Signer
	logs   *syncBuffer
}

func newEnv(t *testing.T, st *storage, signer Signer) *env {
	t.Helper()
	q, err := queue.Open(filepath.Join(t.TempDir(), "queue.db"), queue.Options{Priority: []string{"_thumbnails", "_graded"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return &env{t: t, root: t.TempDir(), q: q, rec: &recorder{Jobs: q, wake: make(chan struct{}, 1)},
		st: st, signer: signer, logs: &syncBuffer{}}
}

// file writes rel under the root and returns its queue item.
func (e *env) file(rel string, data []byte) queue.Item {
	e.t.Helper()
	p := filepath.Join(e.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return e.item(rel)
}

// sparse makes a file of size zero bytes without writing them.
func (e *env) sparse(rel string, size int64) queue.Item {
	e.t.Helper()
	e.file(rel, nil)
	if err := os.Truncate(filepath.Join(e.root, rel), size); err != nil {
		e.t.Fatal(err)
	}
	return e.item(rel)
}

func (e *env) item(rel string) queue.Item {
	e.t.Helper()
	fi, err := os.Stat(filepath.Join(e.root, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return queue.Item{Path: rel, Size: fi.Size(), ModTime: fi.ModTime()}
}

func (e *env) enqueue(items ...queue.Item) {
	e.t.Helper()
	if _, err := e.q.Enqueue(items); err != nil {
		e.t.Fatal(err)
	}
}

// options are fast test defaults on top of o.
func (e *env) options(o Options) Options {
	o.Root = e.root
	if o.RetryMin == 0 {
		o.RetryMin = 20 * time.Millisecond
	}
	if o.RetryMax == 0 {
		o.RetryMax = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return o
}

// runner is an uploader's Run in a goroutine.
type runner struct {
	t      *testing.T
	cancel context.CancelFunc
	errc   chan error
	once   sync.Once
	err    error
}

// Stop cancels Run and returns its error.
func (r *runner) Stop() error {
	r.cancel()
	return r.Wait()
}

// Wait returns Run's error once it has returned.
func (r *runner) Wait() error {
	r.once.Do(func() {
		select {
		case r.err = <-r.errc:
		case <-time.After(waitLimit):
			r.t.Errorf("Run did not return")
		}
	})
	return r.err
}

// StopWithin cancels Run and fails the test unless Run returns within d;
// it returns Run's error. A Run that does not return is left running (the
// test has failed).
func (r *runner) StopWithin(d time.Duration) error {
	r.t.Helper()
	r.cancel()
	start := time.Now()
	returned := false
	r.once.Do(func() {
		select {
		case r.err = <-r.errc:
			returned = true
		case <-time.After(d):
		}
	})
	if !returned {
		r.t.Errorf("Run did not return within %s of the cancel", d)
	} else {
		r.t.Logf("Run returned %s after the cancel", time.Since(start).Round(time.Millisecond))
	}
	return r.err
}

// run starts an uploader; cleanup stops it.
func (e *env) run(o Options) (*Uploader, *runner) {
	u := New(e.signer, e.rec, e.options(o))
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{t: e.t, cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- u.Run(ctx) }()
	e.t.Cleanup(func() { _ = r.Stop() })
	return u, r
}

// next waits for the next outcome of rel.
func (e *env) next(rel string) event {
	e.t.Helper()
	timeout := time.After(waitLimit)
	for {
		if ev, ok := e.rec.take(rel); ok {
			return ev
		}
		select {
		case <-e.rec.wake:
		case <-timeout:
			e.t.Fatalf("no outcome for %s within %s", rel, waitLimit)
		}
	}
}

// until waits for rel's first outcome of kind, skipping others.
func (e *env) until(rel, kind string) event {
	e.t.Helper()
	for {
		if ev := e.next(rel); ev.kind == kind {
			return ev
		}
	}
}
