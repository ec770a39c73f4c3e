package uploader

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// maxChunk bounds one body read, and so one wait on the bandwidth limiter:
// the limiter's burst, and how coarse progress is.
const maxChunk = 64 << 10

// body streams one file to the transport: straight from disk through a
// SectionReader (memory does not grow with the file), paced by the shared
// limiter when there is one, counted for progress, and touching the stall
// watchdog. Every file larger than memBodyMax, and every file under a
// bandwidth cap, is sent this way; smaller ones go from memory
// (membody.go). There is no sendfile path: over TLS every byte is read
// and encrypted anyway, and handing plain http the file for sendfile
// saved about 2 ms per 100 MB, not worth another path.
type body struct {
	src   *io.SectionReader
	lim   *pacer // nil: unlimited
	ctx   context.Context
	prog  *progress
	total *atomic.Int64 // every body byte the pool has sent
	dog   *watchdog
	gen   uint64 // counts in prog only while it is prog's newest body
}

func (b *body) Read(p []byte) (int, error) {
	if len(p) > maxChunk {
		p = p[:maxChunk]
	}
	if b.lim != nil {
		n, err := b.lim.wait(b.ctx, len(p))
		if err != nil {
			return 0, err
		}
		p = p[:n]
	}
	b.dog.touch()
	n, err := b.src.Read(p)
	if n > 0 {
		if b.prog.gen.Load() == b.gen {
			b.prog.sent.Add(int64(n))
		}
		b.total.Add(int64(n))
		b.dog.touch()
	}
	return n, err
}

// Close is a no-op: the file belongs to the job, which closes it.
func (b *body) Close() error { return nil }

// newBody starts the file from its first byte again, as a retry by the
// transport or a 307/308 (GetBody) needs. Progress then counts the new
// body only: an older one the transport may still be writing no longer
// moves it, though its bytes still count in the pool's total.
func (u *Uploader) newBody(ctx context.Context, f *os.File, size int64, prog *progress, dog *watchdog) *body {
	gen := prog.gen.Add(1)
	prog.sent.Store(0)
	return &body{
		gen:   gen,
		src:   io.NewSectionReader(f, 0, size),
		lim:   u.lim,
		ctx:   ctx,
		prog:  prog,
		total: &u.stats.total,
		dog:   dog,
	}
}

// errStalled is the cause a watchdog cancels its request with.
var errStalled = errors.New("the upload stalled")

// watchdog cancels a request when its body has not moved for limit. It
// watches from the start of the request until its answer is read, so a
// request stuck before its first byte or after its last counts too.
type watchdog struct {
	limit  time.Duration
	start  time.Time    // monotonic reference
	last   atomic.Int64 // nanoseconds after start of the last activity
	fired  atomic.Bool
	cancel context.CancelCauseFunc

	mu      sync.Mutex // guards timer against check running before it is set
	timer   *time.Timer
	stopped bool
}

func startWatchdog(limit time.Duration, cancel context.CancelCauseFunc) *watchdog {
	d := &watchdog{limit: limit, start: time.Now(), cancel: cancel}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timer = time.AfterFunc(limit, d.check)
	return d
}

func (d *watchdog) touch() { d.last.Store(int64(time.Since(d.start))) }

// check runs when the timer fires: cut the request if it was idle for the
// whole limit, else sleep until the limit would be reached.
func (d *watchdog) check() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	idle := time.Since(d.start) - time.Duration(d.last.Load())
	if idle >= d.limit {
		d.fired.Store(true)
		d.cancel(errStalled)
		return
	}
	d.timer.Reset(d.limit - idle)
}

func (d *watchdog) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	d.timer.Stop()
}
