package uploader

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// stopGrace and stopSlack bound how long Run may take to return after the
// cancel in these tests: the grace in-flight PUTs get, and a little.
const (
	stopGrace = 200 * time.Millisecond
	stopSlack = 2 * time.Second
)

// countingSigner counts the sign requests that reach s, and announces
// each on seen when there is room.
type countingSigner struct {
	s     Signer
	calls atomic.Int64
	seen  chan struct{}
}

func newCountingSigner(s Signer) *countingSigner {
	return &countingSigner{s: s, seen: make(chan struct{}, 100)}
}

func (c *countingSigner) SignUpload(ctx context.Context, rel string) (odailies.SignedURL, error) {
	c.calls.Add(1)
	select {
	case c.seen <- struct{}{}:
	default:
	}
	return c.s.SignUpload(ctx, rel)
}

// hangingAPI is the oDailies API on httptest whose first sign request
// loses its connection (the API cannot be reached: the gate closes and
// will probe) and whose later ones hang until the client gives up. Each
// hanging request is announced on hung.
func hangingAPI(t *testing.T) (Signer, <-chan struct{}) {
	hung := make(chan struct{}, 100)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		hung <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return apiClient(t, srv.URL+"/api/v1"), hung
}

// apiClient is the real API client for base.
func apiClient(t *testing.T, base string) *odailies.Client {
	t.Helper()
	c, err := odailies.New(odailies.Options{BaseURL: base, ProjectID: e2eProject, Token: e2eToken})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// hangingSigner fails its first request as an unreachable API would, and
// hangs every later one until its context ends, announcing it on hung.
func hangingSigner() (Signer, <-chan struct{}) {
	hung := make(chan struct{}, 100)
	return &stubSigner{sign: func(ctx context.Context, _ string, n int64) (odailies.SignedURL, error) {
		if n == 1 {
			return odailies.SignedURL{}, &netErr{}
		}
		select {
		case hung <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return odailies.SignedURL{}, ctx.Err()
	}}, hung
}

// TestStopWhileAPIHangs: SIGTERM while the gate's probe (or a sign) hangs
// on the API, or while the API cannot be reached at all: Run returns
// within StopGrace and a little, and the pool does not keep signing after
// the cancel (one probe cut by the stop is not followed by another).
func TestStopWhileAPIHangs(t *testing.T) {
	tests := []struct {
		name string
		// signer returns the signer and a channel that says a request
		// hangs now (nil: cancel after a few requests instead).
		signer func(t *testing.T) (Signer, <-chan struct{})
	}{
		{"signer hangs until its context ends", func(*testing.T) (Signer, <-chan struct{}) { return hangingSigner() }},
		{"API hangs", hangingAPI},
		{"API unreachable", func(t *testing.T) (Signer, <-chan struct{}) {
			return apiClient(t, "http://"+deadAddr(t)+"/api/v1"), nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, hung := tc.signer(t)
			signer := newCountingSigner(s)
			e := newEnv(t, newStorage(t, nil), signer)
			// One job: the first request is its sign, every later one the
			// gate's probe.
			e.enqueue(e.file("_graded/a.mov", pattern(100)))
			u, r := e.run(Options{Workers: 4, StopGrace: stopGrace, RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
			waitSigning(t, signer, hung)
			before := signer.calls.Load()
			if err := r.StopWithin(stopGrace + stopSlack); err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			if after := signer.calls.Load() - before; after > 4 {
				t.Errorf("%d sign requests after the cancel, want at most one per worker", after)
			}
			if last := u.Snapshot().LastError; strings.Contains(last, "canceled") {
				t.Errorf("LastError = %q: a request cut by the stop is no failure", last)
			}
		})
	}
}

// waitSigning waits until a sign request hangs (hung) or, without hung,
// until the gate has probed a few times.
func waitSigning(t *testing.T, s *countingSigner, hung <-chan struct{}) {
	t.Helper()
	if hung != nil {
		recv(t, hung)
		return
	}
	for range 5 {
		recv(t, s.seen)
	}
}

// TestStopWhileGateClosed: Run returns promptly on cancel while signing
// is paused for the pool, however long the gate's own wait.
func TestStopWhileGateClosed(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		health Health
	}{
		{"auth-error", apiErr(http.StatusForbidden, ""), HealthAuth},
		{"not-found", apiErr(http.StatusNotFound, ""), HealthNotFound},
		{"offline", &netErr{}, HealthOffline},
		{"slow-down", apiErr(http.StatusTooManyRequests, "3600"), HealthSlowDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signer := &stubSigner{sign: func(context.Context, string, int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{}, tc.err
			}}
			e := newEnv(t, newStorage(t, nil), signer)
			e.enqueue(e.file("_graded/a.mov", pattern(100)))
			u, r := e.run(Options{StopGrace: stopGrace, AuthRecheck: time.Hour, RetryMin: time.Hour, RetryMax: time.Hour})
			if ev := e.next("_graded/a.mov"); ev.kind != "release" {
				t.Fatalf("got %s %q, want release", ev.kind, ev.reason)
			}
			if h := u.Snapshot().Health; h != tc.health {
				t.Fatalf("health %q, want %q", h, tc.health)
			}
			before := signer.calls.Load()
			if err := r.StopWithin(stopGrace + stopSlack); err != nil {
				t.Errorf("Run = %v", err)
			}
			if n := signer.calls.Load() - before; n != 0 {
				t.Errorf("%d sign requests after the cancel", n)
			}
		})
	}
}

// TestStopWhilePutStalls: a PUT that does not move, held by storage or
// by the bandwidth limiter, is cut StopGrace after the cancel, long
// before the stall watchdog would, and its job is released.
func TestStopWhilePutStalls(t *testing.T) {
	tests := []struct {
		name      string
		bandwidth int64
		hold      bool // storage holds the body; else it reads at the limiter's pace
	}{
		{"storage holds the body", 0, true},
		{"storage holds the paced body", 1 << 30, true},
		{"the bandwidth limiter holds the body", 1 << 10, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan string, 10)
			var st *storage
			if tc.hold {
				var b *blocker
				b, st = blockedStorage(t, func(string) bool { return true })
				started = b.started
			} else {
				st = newStorage(t, func(_ http.ResponseWriter, r *http.Request, _ int64) bool {
					started <- r.URL.Path
					return false
				})
			}
			e := newEnv(t, st, signFor(st, time.Hour))
			e.enqueue(e.sparse("_graded/big.mov", 8<<20))
			_, r := e.run(Options{StopGrace: stopGrace, StallTimeout: time.Hour, Bandwidth: tc.bandwidth})
			recv(t, started)
			if err := r.StopWithin(stopGrace + stopSlack); err != nil {
				t.Errorf("Run = %v", err)
			}
			if ev := e.next("_graded/big.mov"); ev.kind != "release" {
				t.Errorf("got %s %q, want release", ev.kind, ev.reason)
			}
		})
	}
}

// TestStopWhileIdle: a pool waiting for work stops at once.
func TestStopWhileIdle(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	_, r := e.run(Options{StopGrace: time.Hour})
	if err := r.StopWithin(stopSlack); err != nil {
		t.Errorf("Run = %v", err)
	}
}
