package uploader

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"sync"
)

// A 2xx is an upload only if it answered the whole body. Storage that
// answers before the body has gone (a broken proxy, a server that does
// not wait for the body it asked for with 100 Continue) has not stored
// the file, and net/http returns its answer all the same, still writing
// the body or skipping it. So each PUT is traced, hop by hop, and after
// a 2xx put checks (settle) that:
//
//   - the answer did not arrive before any body byte was sent, on a
//     request that waited for 100 Continue and got none;
//   - the request, body included, was written out without error (a
//     write still going when the answer came is cut by the transport
//     once the answer is closed, which ends in an error);
//   - every byte of the body was handed to the connection.
//
// The count is the body reader's, for the body of the last hop.

// sendState follows one PUT through its hops; put makes one per attempt
// and hands it to hopTransport through the request's context.
type sendState struct {
	prog *progress
	size int64
	// wrote, when set, is called each time the transport reports the
	// request written whole: a body in memory (membody.go) is counted
	// then, since the transport's reads of it cannot be seen.
	wrote func()

	mu   sync.Mutex
	hops int
	cur  *hop // the hop whose answer Do returns: hops run one at a time
}

type sendStateKey struct{}

func withSendState(ctx context.Context, s *sendState) context.Context {
	return context.WithValue(ctx, sendStateKey{}, s)
}

// hop is one request of a PUT (the first, or one after a 307/308): its
// trace events and whether its write ended. A transport retry inside the
// hop (a body that was never written, re-opened with GetBody) starts a
// new attempt of the same hop.
type hop struct {
	mu       sync.Mutex
	traced   bool  // the transport reports trace events (GotConn)
	active   bool  // inside RoundTrip: a new body is an attempt of this hop
	bodies   int   // bodies handed out for this hop
	writes   int   // WroteRequest calls
	writeErr error // of the last one
	wrote    chan struct{}
	waiting  bool  // waited for 100 Continue
	got100   bool  // and got it
	got1xx   bool  // got another 1xx first
	firstAt  int64 // bytes sent when the first answer byte came; -1 before
}

// newBody notes that the transport took a new body (GetBody). Inside a
// hop it is a retry of that hop, else it is the body of the next hop.
func (s *sendState) newBody() {
	s.mu.Lock()
	h := s.cur
	s.mu.Unlock()
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.active {
		h.bodies++
		h.waiting, h.got100, h.got1xx, h.firstAt = false, false, false, -1
	}
}

func (s *sendState) startHop() *hop {
	h := &hop{active: true, bodies: 1, firstAt: -1, wrote: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hops++
	s.cur = h
	return h
}

func (s *sendState) last() (*hop, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, s.hops
}

// trace is the hop's view of its request.
func (h *hop) trace(s *sendState) *httptrace.ClientTrace {
	prog := s.prog
	set := func(f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		f()
	}
	return &httptrace.ClientTrace{
		GotConn:         func(httptrace.GotConnInfo) { set(func() { h.traced = true }) },
		Wait100Continue: func() { set(func() { h.waiting = true }) },
		Got100Continue:  func() { set(func() { h.got100 = true }) },
		Got1xxResponse: func(int, textproto.MIMEHeader) error {
			set(func() { h.got1xx = true })
			return nil
		},
		GotFirstResponseByte: func() {
			sent := prog.bytesSent()
			set(func() {
				if h.firstAt < 0 {
					h.firstAt = sent
				}
			})
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil && s.wrote != nil {
				s.wrote() // before the hop says so: settle then counts it
			}
			set(func() {
				h.writes++
				h.writeErr = i.Err
				if h.writes >= h.bodies {
					select {
					case <-h.wrote:
					default:
						close(h.wrote)
					}
				}
			})
		},
	}
}

// settle decides whether a 2xx answered the whole body; resp's body must
// be closed already, so that the transport cuts a write still going.
// It waits for the write to end, or for ctx (the stall watchdog, the
// stop).
func (s *sendState) settle(ctx context.Context) error {
	h, _ := s.last()
	if h == nil || !h.isTraced() {
		// A transport that reports no trace events (a caller's fake)
		// leaves only the byte count to judge by, and for a body in
		// memory not even that: its 2xx is taken as it is.
		if s.wrote != nil {
			return nil
		}
		return s.countCheck()
	}
	select {
	case <-h.wrote:
	case <-ctx.Done():
		return &earlyAnswerError{sent: s.prog.bytesSent(), size: s.size, cause: context.Cause(ctx)}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case s.size > 0 && h.waiting && !h.got100 && !h.got1xx && h.firstAt == 0:
		return &earlyAnswerError{sent: 0, size: s.size}
	case h.writeErr != nil:
		return &earlyAnswerError{sent: s.prog.bytesSent(), size: s.size, cause: h.writeErr}
	}
	return s.countCheck()
}

// countCheck fails unless every byte of the last body was handed to the
// connection.
func (s *sendState) countCheck() error {
	if sent := s.prog.bytesSent(); sent != s.size {
		return &earlyAnswerError{sent: sent, size: s.size}
	}
	return nil
}

// writtenOnce reports whether the PUT was one request (no redirect),
// traced, whose every body the transport reports written whole: then no
// write of it is still going.
func (s *sendState) writtenOnce() bool {
	h, hops := s.last()
	if h == nil || hops != 1 {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.traced && !h.active && h.writes >= h.bodies && h.writeErr == nil
}

func (h *hop) isTraced() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.traced
}

// earlyAnswerError is a 2xx that came before the whole file was sent. It
// is transient: the job is retried with backoff, and fails after
// MaxAttempts naming it.
type earlyAnswerError struct {
	sent, size int64
	cause      error // why the write ended, if it failed (for errors.Is)
}

// Error leaves the cause out: once the answer is in, the transport cuts
// a write still going, and "use of closed network connection" would only
// hide what happened.
func (e *earlyAnswerError) Error() string {
	return fmt.Sprintf("the storage answered before receiving the whole file (%d of %d bytes sent)", e.sent, e.size)
}

func (e *earlyAnswerError) Unwrap() error { return e.cause }

// hopTransport traces each request of a PUT (see sendState); requests
// without one pass through untouched.
type hopTransport struct{ next http.RoundTripper }

func (t *hopTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s, _ := req.Context().Value(sendStateKey{}).(*sendState)
	if s == nil {
		return t.next.RoundTrip(req)
	}
	h := s.startHop()
	defer func() {
		h.mu.Lock()
		h.active = false
		h.mu.Unlock()
	}()
	return t.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), h.trace(s))))
}

// CloseIdleConnections reaches the wrapped transport's, as
// http.Client.CloseIdleConnections expects of a transport.
func (t *hopTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
