package uploader

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// TestAuthErrorPausesSigning: a token without Upload stops every worker
// from signing; the pool asks again once per AuthRecheck, says what to
// fix once, and resumes by itself when the token works.
func TestAuthErrorPausesSigning(t *testing.T) {
	const recheck = 150 * time.Millisecond
	st := newStorage(t, nil)
	var allowed atomic.Bool
	calls := make(chan time.Time, 100)
	signer := &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		select {
		case calls <- time.Now():
		default: // a spinning pool must fail the test, not block it
		}
		if !allowed.Load() {
			return odailies.SignedURL{}, apiErr(http.StatusForbidden, "")
		}
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	e := newEnv(t, st, signer)
	for i := range 6 {
		e.enqueue(e.file("_graded/clip"+itoa(i)+".mov", pattern(100)))
	}
	u, _ := e.run(Options{Workers: 4, AuthRecheck: recheck})

	// Up to one call per worker may be in flight when the first 403
	// arrives; after that, one probe per recheck.
	first := recv(t, calls)
	var later []time.Time
	for len(later) < 4 {
		if c := recv(t, calls); c.Sub(first) > recheck/2 {
			later = append(later, c)
		}
	}
	for i := 1; i < len(later); i++ {
		if gap := later[i].Sub(later[i-1]); gap < recheck*9/10 {
			t.Fatalf("probe %d came %s after the previous, want >= %s", i, gap, recheck)
		}
	}
	snap := u.Snapshot()
	if snap.Health != HealthAuth || !strings.Contains(snap.Detail, "lacks the Upload permission") {
		t.Errorf("health %q detail %q", snap.Health, snap.Detail)
	}

	allowed.Store(true)
	for i := range 6 {
		e.until("_graded/clip"+itoa(i)+".mov", "done")
	}
	if h := u.Snapshot().Health; h != HealthOK {
		t.Errorf("health after recovery = %q", h)
	}
	logs := e.logs.String()
	if n := strings.Count(logs, "signing paused"); n != 1 {
		t.Errorf("pause logged %d times:\n%s", n, logs)
	}
	if n := strings.Count(logs, "signing works again"); n != 1 {
		t.Errorf("recovery logged %d times", n)
	}
}

func TestSignRetryAfterHonoured(t *testing.T) {
	st := newStorage(t, nil)
	var mu sync.Mutex
	var at []time.Time
	signer := &stubSigner{sign: func(_ context.Context, rel string, n int64) (odailies.SignedURL, error) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		if n == 1 {
			return odailies.SignedURL{}, apiErr(http.StatusTooManyRequests, "1")
		}
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	e := newEnv(t, st, signer)
	e.enqueue(e.file("_graded/a.mov", pattern(10)), e.file("_graded/b.mov", pattern(10)))
	e.run(Options{Workers: 1})
	e.until("_graded/a.mov", "done")
	e.until("_graded/b.mov", "done")
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 3 {
		t.Errorf("%d sign requests, want 3 (refused, probe reused for a, b)", len(at))
	}
	if gap := at[1].Sub(at[0]); gap < 900*time.Millisecond {
		t.Errorf("signed again %s after a Retry-After of 1s", gap)
	}
}

// TestURLReuse: a retry reuses the job's URL only while enough of its
// life is left on the server's clock, and a URL storage refuses costs one
// PUT before a new one is signed.
func TestURLReuse(t *testing.T) {
	tests := []struct {
		name         string
		life, skew   time.Duration
		putStatus    []int // storage's answers in order; then 200
		kind         string
		signs, puts  int64
		reasonSubstr string
	}{
		{"long-lived URL reused", time.Hour, 0, []int{500}, "done", 1, 2, ""},
		{"3-second URL re-signed", 3 * time.Second, 0, []int{500}, "done", 2, 2, ""},
		{"server clock ahead", time.Hour, 2 * time.Hour, []int{500}, "done", 2, 2, ""},
		{"refused reused URL costs one PUT", time.Hour, 0, []int{500, 403}, "done", 2, 3, ""},
		{"403 re-signs three times then fails", time.Hour, 0, []int{403, 403, 403, 403}, "fail", 4, 4, "SignatureDoesNotMatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				if int(n) > len(tc.putStatus) {
					return false
				}
				http.Error(w, "<Error><Code>SignatureDoesNotMatch</Code></Error>", tc.putStatus[n-1])
				return true
			})
			signer := &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(tc.life), Skew: tc.skew}, nil
			}}
			e := newEnv(t, st, signer)
			e.enqueue(e.file("_graded/a.mov", pattern(2<<20)))
			e.run(Options{})
			ev := e.until("_graded/a.mov", tc.kind)
			if !strings.Contains(ev.reason, tc.reasonSubstr) {
				t.Errorf("reason %q, want %q", ev.reason, tc.reasonSubstr)
			}
			if s, p := signer.calls.Load(), st.puts.Load(); s != tc.signs || p != tc.puts {
				t.Errorf("%d signs, %d PUTs; want %d, %d", s, p, tc.signs, tc.puts)
			}
		})
	}
}

func recv[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("nothing received within %s", waitLimit)
	}
	var zero T
	return zero
}
