package uploader

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// blocker is a storage hook that reads the first MiB of chosen paths'
// bodies, says so on started, then holds the request until released or
// cut by the client.
type blocker struct {
	match   func(path string) bool
	started chan string
	release chan struct{}
	once    sync.Once
}

// blockedStorage is storage whose PUTs of matching paths block.
func blockedStorage(t *testing.T, match func(string) bool) (*blocker, *storage) {
	b := &blocker{match: match, started: make(chan string, 10), release: make(chan struct{})}
	st := newStorage(t, b.hook)
	t.Cleanup(b.open) // before the storage closes: cleanups run last first
	return b, st
}

func (b *blocker) open() { b.once.Do(func() { close(b.release) }) }

func (b *blocker) hook(w http.ResponseWriter, r *http.Request, _ int64) bool {
	if !b.match(r.URL.Path) {
		return false
	}
	_, _ = io.CopyN(io.Discard, r.Body, 1<<20)
	b.started <- r.URL.Path
	select {
	case <-r.Context().Done():
	case <-b.release:
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return true
}

func (b *blocker) waitStarted(t *testing.T) string {
	t.Helper()
	select {
	case p := <-b.started:
		return p
	case <-time.After(waitLimit):
		t.Fatal("no blocked PUT started")
		return ""
	}
}

func isBig(p string) bool { return strings.Contains(p, "big") }

// TestStalledBodyIsCut: a PUT whose body stops moving is cut after
// StallTimeout and retried, with no bandwidth limit and with one (the
// body reader waiting on a limiter).
func TestStalledBodyIsCut(t *testing.T) {
	for _, bw := range []int64{0, 1 << 30} {
		t.Run(fmt.Sprintf("bandwidth %d", bw), func(t *testing.T) {
			_, st := blockedStorage(t, isBig)
			e := newEnv(t, st, signFor(st, time.Hour))
			// Bigger than loopback socket buffers, so the sender really blocks.
			e.enqueue(e.sparse("_graded/big.mov", 64<<20))
			start := time.Now()
			e.run(Options{StallTimeout: 300 * time.Millisecond, RetryMin: time.Minute, Bandwidth: bw})
			ev := e.next("_graded/big.mov")
			if ev.kind != "retry" || !strings.Contains(ev.reason, "stalled") {
				t.Errorf("got %s %q, want a retry for a stall", ev.kind, ev.reason)
			}
			if took := time.Since(start); took < 300*time.Millisecond {
				t.Errorf("cut after %s", took)
			}
		})
	}
}

// TestBandwidthShared: the cap holds for all workers together.
func TestBandwidthShared(t *testing.T) {
	const rate = 2 << 20
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	var total int64
	for i := range 3 {
		it := e.file("_graded/c"+itoa(i)+".mov", pattern(1<<20))
		total += it.Size
		e.enqueue(it)
	}
	start := time.Now()
	e.run(Options{Workers: 3, Bandwidth: rate})
	for i := range 3 {
		e.until("_graded/c"+itoa(i)+".mov", "done")
	}
	took := time.Since(start)
	least := time.Duration(float64(total-maxChunk) / rate * float64(time.Second))
	if took < least*9/10 || took > 3*least+2*time.Second {
		t.Errorf("%d bytes at %d B/s took %s, want about %s", total, rate, took, least)
	}
}

// TestStopReleasesLeases: PUTs still running StopGrace after the cancel
// are cut and their jobs go back to the queue with no attempt counted.
func TestStopReleasesLeases(t *testing.T) {
	b, st := blockedStorage(t, isBig)
	e := newEnv(t, st, signFor(st, time.Hour))
	e.enqueue(e.sparse("_graded/big.mov", 8<<20))
	_, r := e.run(Options{StopGrace: 100 * time.Millisecond})
	b.waitStarted(t)
	if err := r.Stop(); err != nil {
		t.Errorf("Run after stop = %v, want nil", err)
	}
	if ev := e.next("_graded/big.mov"); ev.kind != "release" {
		t.Errorf("got %s, want release", ev.kind)
	}
	c := e.q.Counts()
	if c.Queued != 1 || c.Active != 0 {
		t.Errorf("counts after stop = %+v", c)
	}
}

// TestStopLetsPutFinish: a PUT that ends within StopGrace counts.
func TestStopLetsPutFinish(t *testing.T) {
	b, st := blockedStorage(t, isBig)
	e := newEnv(t, st, signFor(st, time.Hour))
	e.enqueue(e.sparse("_graded/big.mov", 8<<20), e.file("_graded/other.mov", pattern(10)))
	_, r := e.run(Options{Workers: 1, StopGrace: time.Minute})
	b.waitStarted(t)
	r.cancel()
	// The grace period has begun: the held PUT may finish and must count,
	// and no other job may start.
	b.open()
	if err := r.Wait(); err != nil {
		t.Errorf("Run = %v", err)
	}
	if ev := e.next("_graded/big.mov"); ev.kind != "done" {
		t.Errorf("got %s, want done", ev.kind)
	}
	if c := e.q.Counts(); c.Queued != 1 || c.Done != 1 {
		t.Errorf("counts = %+v, want the other file still queued", c)
	}
}
