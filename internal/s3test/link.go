package s3test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// Link is a TCP link in this process, in front of one upstream, that can
// delay or hold the bytes of either direction: what the uploader's own
// tests need of a slow or stalled network, with no dependency. The
// end-to-end rig's fuller one (bandwidth, resets, outages) is e2e/toxi's.
type Link struct {
	Addr string // host:port clients connect to

	t        testing.TB
	upstream string
	ln       net.Listener

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever toxics change
	toxics  map[string]toxic
	seq     int
	conns   map[net.Conn]struct{}
	stopped bool
	wg      sync.WaitGroup
}

// Stream directions of a toxic: upstream is client → server (uploads),
// downstream is server → client.
const (
	Upstream   = "upstream"
	Downstream = "downstream"
)

type toxic struct {
	stream  string
	latency time.Duration // latency: every chunk waits this long after it was read
	jitter  time.Duration
	hold    bool          // timeout: no data passes while it is on
	closeIn time.Duration // timeout > 0: the connection closes this long after it met the toxic
}

// Proxy starts a link on a free loopback port that forwards to upstream
// (host:port) and stops it, cutting its connections, in t.Cleanup.
func Proxy(t testing.TB, upstream string) *Link {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3test: link: %v", err)
	}
	l := &Link{Addr: ln.Addr().String(), t: t, upstream: upstream, ln: ln,
		changed: make(chan struct{}), toxics: map[string]toxic{}, conns: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.accept()
	t.Cleanup(l.stop)
	return l
}

// Latency delays data on stream by ms milliseconds (± jitter ms).
func (l *Link) Latency(stream string, ms, jitter int) string {
	return l.add("latency", toxic{stream: stream, latency: time.Duration(ms) * time.Millisecond, jitter: time.Duration(jitter) * time.Millisecond})
}

// Timeout stops all data on stream; with timeoutMs > 0 the connection is
// closed after that long, with 0 it hangs until the toxic is removed.
func (l *Link) Timeout(stream string, timeoutMs int) string {
	return l.add("timeout", toxic{stream: stream, hold: true, closeIn: time.Duration(timeoutMs) * time.Millisecond})
}

// Remove takes a toxic off the link; held data flows again.
func (l *Link) Remove(name string) {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.toxics[name]; !ok {
		l.t.Fatalf("s3test: remove toxic %s: no such toxic", name)
	}
	delete(l.toxics, name)
	l.notifyLocked()
}

// RemoveAll takes every toxic off the link.
func (l *Link) RemoveAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.toxics)
	l.notifyLocked()
}

func (l *Link) add(kind string, x toxic) string {
	l.t.Helper()
	if x.stream != Upstream && x.stream != Downstream {
		l.t.Fatalf("s3test: toxic %s: stream %q, want %q or %q", kind, x.stream, Upstream, Downstream)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	name := fmt.Sprintf("%s_%s_%d", kind, x.stream, l.seq)
	l.toxics[name] = x
	l.notifyLocked()
	return name
}

func (l *Link) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// now is what stream's chunks must wait for: the latency to add, whether
// data is held, and when held connections close; and a channel closed at
// the next change. Once the link is stopped, stopped is true.
func (l *Link) now(stream string) (delay time.Duration, hold bool, closeIn time.Duration, changed <-chan struct{}, stopped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return 0, false, 0, nil, true
	}
	for _, x := range l.toxics {
		if x.stream != stream {
			continue
		}
		delay += x.latency
		if x.jitter > 0 {
			delay += rand.N(2*x.jitter) - x.jitter
		}
		if x.hold {
			hold = true
			if x.closeIn > 0 && (closeIn == 0 || x.closeIn < closeIn) {
				closeIn = x.closeIn
			}
		}
	}
	return delay, hold, closeIn, l.changed, false
}

func (l *Link) accept() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return // stopped
		}
		l.wg.Add(1)
		go l.serve(c)
	}
}

func (l *Link) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns == nil {
		return false
	}
	l.conns[c] = struct{}{}
	return true
}

func (l *Link) untrack(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, c)
}

func (l *Link) serve(client net.Conn) {
	defer l.wg.Done()
	server, err := net.Dial("tcp", l.upstream)
	if err != nil {
		client.Close()
		return
	}
	if !l.track(client) || !l.track(server) {
		client.Close()
		server.Close()
		return
	}
	defer l.untrack(client)
	defer l.untrack(server)
	done := make(chan struct{}, 2)
	go func() { l.pump(server, client, Upstream); done <- struct{}{} }()
	go func() { l.pump(client, server, Downstream); done <- struct{}{} }()
	<-done
	<-done
	client.Close()
	server.Close()
}

// chunk is bytes read at a time.
type chunk struct {
	b  []byte
	at time.Time
}

// pump copies src to dst through stream's toxics: a reader that keeps
// reading (so latency is a delay line, not a throttle) and a writer that
// lets each chunk go at its time.
func (l *Link) pump(dst, src net.Conn, stream string) {
	chunks := make(chan chunk, 64)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{buf[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		if err := l.pass(c, stream, dst); err != nil {
			dst.Close()
			src.Close()
			for range chunks { // let the reader end
			}
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite() // EOF on, as the peer sent it
	}
}

var (
	errTimedOut = errors.New("closed by a timeout toxic")
	errStopped  = errors.New("link stopped")
)

// pass waits until chunk c may go on stream, then writes it.
func (l *Link) pass(c chunk, stream string, dst net.Conn) error {
	var heldSince time.Time
	for {
		delay, hold, closeIn, changed, stopped := l.now(stream)
		if stopped {
			return errStopped
		}
		if hold {
			if heldSince.IsZero() {
				heldSince = time.Now()
			}
			var deadline <-chan time.Time
			if closeIn > 0 {
				deadline = time.After(time.Until(heldSince.Add(closeIn)))
			}
			select {
			case <-changed:
				continue
			case <-deadline:
				return errTimedOut
			}
		}
		if wait := time.Until(c.at.Add(delay)); wait > 0 {
			select {
			case <-changed:
				continue // a toxic came or went: look again
			case <-time.After(wait):
			}
		}
		_, err := dst.Write(c.b)
		return err
	}
}

// stop closes the listener and every connection, and waits for them.
func (l *Link) stop() {
	l.ln.Close()
	l.mu.Lock()
	for c := range l.conns {
		c.Close()
	}
	l.conns = nil
	l.stopped = true
	l.notifyLocked()
	l.mu.Unlock()
	l.wg.Wait()
}
