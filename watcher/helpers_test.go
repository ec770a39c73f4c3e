package watcher

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// collector is a working Handler that records everything it is given.
type collector struct {
	mu      sync.Mutex
	files   []File
	scans   []Scan
	changed chan struct{}
}

func newCollector() *collector { return &collector{changed: make(chan struct{}, 1)} }

func (c *collector) Settled(_ context.Context, files []File) error {
	c.mu.Lock()
	c.files = append(c.files, files...)
	c.mu.Unlock()
	c.notify()
	return nil
}

func (c *collector) Scanned(_ context.Context, s Scan) error {
	c.mu.Lock()
	c.scans = append(c.scans, s)
	c.mu.Unlock()
	c.notify()
	return nil
}

func (c *collector) notify() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// count returns how many times path was emitted, and the last version.
func (c *collector) count(path string) (int, File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, last := 0, File{}
	for _, f := range c.files {
		if f.Path == path {
			n, last = n+1, f
		}
	}
	return n, last
}

func (c *collector) emitted() []File {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]File(nil), c.files...)
}

func (c *collector) scanCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.scans)
}

func (c *collector) lastScan() Scan {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.scans[len(c.scans)-1]
}

// waitFor waits, without sleeping, until cond holds after a handler call or
// a poll of the status; it fails the test after a deadline.
func waitFor(t testing.TB, c *collector, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	poll := time.NewTicker(10 * time.Millisecond) // Status changes without a handler call
	defer poll.Stop()
	for !cond() {
		select {
		case <-c.changed:
		case <-poll.C:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// start runs a watcher on root until the test ends.
func start(t testing.TB, root string, opts Options, setup func(w *Watcher)) (*Watcher, *collector) {
	t.Helper()
	c := newCollector()
	return startWith(t, root, opts, setup, c), c
}

// startWith runs a watcher with handler h until the test ends.
func startWith(t testing.TB, root string, opts Options, setup func(w *Watcher), h Handler) *Watcher {
	t.Helper()
	if opts.Dirs == nil {
		opts.Dirs = []string{"_graded", "_thumbnails"}
	}
	w, err := New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
	return w
}

// mkTree makes root/_graded and root/_thumbnails.
func mkTree(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"_graded", "_thumbnails"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func writeFile(t testing.TB, name string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testLogger logs at debug level through t.Log, shown only on failure.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// fakeSource wraps the real fsnotify source so a test can lose events,
// inject errors, or make Add fail.
type fakeSource struct {
	inner  eventSource
	events chan fsnotify.Event
	errs   chan error
	drop   atomic.Bool
	addErr error
	done   chan struct{}
	once   sync.Once
}

func newFakeSource(addErr error) (*fakeSource, error) {
	inner, err := newFSNotify()
	if err != nil {
		return nil, err
	}
	f := &fakeSource{inner: inner, events: make(chan fsnotify.Event), errs: make(chan error, 1),
		addErr: addErr, done: make(chan struct{})}
	go f.forward()
	return f, nil
}

func (f *fakeSource) forward() {
	for {
		select {
		case ev, ok := <-f.inner.Events():
			if !ok {
				return
			}
			if f.drop.Load() {
				continue
			}
			select {
			case f.events <- ev:
			case <-f.done:
				return
			}
		case <-f.inner.Errors():
		case <-f.done:
			return
		}
	}
}

func (f *fakeSource) Add(dir string) error {
	if f.addErr != nil {
		return f.addErr
	}
	return f.inner.Add(dir)
}
func (f *fakeSource) Remove(dir string) error       { return f.inner.Remove(dir) }
func (f *fakeSource) Events() <-chan fsnotify.Event { return f.events }
func (f *fakeSource) Errors() <-chan error          { return f.errs }
func (f *fakeSource) Close() error {
	f.once.Do(func() { close(f.done) })
	return f.inner.Close()
}

// problemsOf returns the listed problems by path.
func problemsOf(w *Watcher) map[string]string {
	m := make(map[string]string)
	for _, p := range w.Status().Problems {
		m[p.Path] = p.Problem
	}
	return m
}

// fakeClock is a settable clock for settle tests.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) Now() time.Time       { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Add(d time.Duration)  { c.ns.Add(int64(d)) }
func newFakeClock(t time.Time) *fakeClock { c := &fakeClock{}; c.ns.Store(t.UnixNano()); return c }
