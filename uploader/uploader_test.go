package uploader

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

func TestUploadsFilesExactly(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	files := map[string][]byte{
		"_graded/empty.mov":            {},
		"_graded/day 1/A001 #1?%+.mov": pattern(3 << 20),
		"_thumbnails/café.jpg":         pattern(1000),
	}
	for rel, data := range files {
		e.enqueue(e.file(rel, data))
	}
	u, _ := e.run(Options{Workers: 2, UserAgent: "test-agent", Headers: map[string]string{"X-Extra": "1"}})
	for rel, want := range files {
		if ev := e.next(rel); ev.kind != "done" {
			t.Fatalf("%s: %s %s, want done", rel, ev.kind, ev.reason)
		}
		got, h, ok := st.object(rel)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: stored %d bytes (present %v), want %d identical", rel, len(got), ok, len(want))
		}
		checkHeaders(t, rel, h, want)
	}
	snap := u.Snapshot()
	if snap.Uploaded != 3 || snap.BytesDone != 3<<20+1000 || snap.Health != HealthOK {
		t.Errorf("snapshot = %+v", snap)
	}
}

// checkHeaders allows only what the uploader is meant to send, and
// requires the Content-MD5 of body.
func checkHeaders(t *testing.T, rel string, h http.Header, body []byte) {
	t.Helper()
	size := len(body)
	sum := md5.Sum(body)
	if got, want := h.Values("Content-MD5"), base64.StdEncoding.EncodeToString(sum[:]); len(got) != 1 || got[0] != want {
		t.Errorf("%s: Content-MD5 %q, want %q", rel, got, want)
	}
	allowed := []string{"User-Agent", "X-Extra", "Content-Length", "Expect", "Content-Md5"}
	for k := range h {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: unexpected header %s: %q", rel, k, h.Get(k))
		}
	}
	if h.Get("User-Agent") != "test-agent" || h.Get("X-Extra") != "1" {
		t.Errorf("%s: headers %v", rel, h)
	}
	if want := size > expectAbove; (h.Get("Expect") != "") != want {
		t.Errorf("%s: Expect header %q with %d bytes", rel, h.Get("Expect"), size)
	}
}

func TestPutErrorClasses(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		kind       string
		minWait    time.Duration // retry: at least this long after the failure
		maxWait    time.Duration
		reason     string
	}{
		{"server error", 500, "", "retry", 500 * time.Millisecond, 1100 * time.Millisecond, "500"},
		{"bad gateway", 502, "", "retry", 500 * time.Millisecond, 1100 * time.Millisecond, "502"},
		{"request timeout", 408, "", "retry", 500 * time.Millisecond, 1100 * time.Millisecond, "408"},
		{"slow down", 429, "7", "retry", 6 * time.Second, 8 * time.Second, "429"},
		{"unavailable with retry-after", 503, "9", "retry", 8 * time.Second, 10 * time.Second, "503"},
		{"bad request", 400, "", "fail", 0, 0, "400 Bad Request: storage says no"},
		{"not found", 404, "", "fail", 0, 0, "404"},
		{"too large", 413, "", "fail", 0, 0, "413"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				http.Error(w, "storage says no; signature "+fakeSignature, tc.status)
				return true
			})
			e := newEnv(t, st, signFor(st, time.Hour))
			e.enqueue(e.file("_graded/a.mov", pattern(100)))
			e.run(Options{RetryMin: time.Second, RetryMax: time.Minute})
			ev := e.next("_graded/a.mov")
			if ev.kind != tc.kind || !strings.Contains(ev.reason, tc.reason) {
				t.Fatalf("got %s %q, want %s containing %q", ev.kind, ev.reason, tc.kind, tc.reason)
			}
			if wait := ev.at.Sub(ev.when); tc.kind == "retry" && (wait < tc.minWait || wait > tc.maxWait) {
				t.Errorf("retry in %s, want %s..%s", wait, tc.minWait, tc.maxWait)
			}
			if strings.Contains(ev.reason+e.logs.String(), fakeSignature) || strings.Contains(e.logs.String(), "TOPSECRET") {
				t.Errorf("signed URL leaked: %q", ev.reason)
			}
		})
	}
}

func TestSignErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		kind   string
		health Health
	}{
		{"server error", apiErr(500, ""), "retry", HealthOffline},
		{"bad request", apiErr(400, ""), "fail", HealthOK},
		{"unknown token", apiErr(401, ""), "release", HealthAuth},
		{"no upload flag", apiErr(403, ""), "release", HealthAuth},
		{"unknown project", apiErr(404, ""), "release", HealthNotFound},
		{"slow down", apiErr(429, "30"), "release", HealthSlowDown},
		{"unreachable", &netErr{}, "release", HealthOffline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStorage(t, nil)
			signer := &stubSigner{sign: func(context.Context, string, int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{}, tc.err
			}}
			e := newEnv(t, st, signer)
			e.enqueue(e.file("_graded/a.mov", pattern(100)))
			u, _ := e.run(Options{AuthRecheck: time.Hour, RetryMin: time.Minute, RetryMax: time.Hour})
			if ev := e.next("_graded/a.mov"); ev.kind != tc.kind {
				t.Fatalf("got %s %q, want %s", ev.kind, ev.reason, tc.kind)
			}
			snap := u.Snapshot()
			if snap.Health != tc.health || (tc.health == HealthOK) != (snap.Detail == "") {
				t.Errorf("health %q detail %q, want %q", snap.Health, snap.Detail, tc.health)
			}
			if st.puts.Load() != 0 {
				t.Errorf("%d PUTs without a URL", st.puts.Load())
			}
		})
	}
}

// netErr is a network failure as net/http reports one.
type netErr struct{}

func (*netErr) Error() string   { return "dial tcp 127.0.0.1:1: connect: connection refused" }
func (*netErr) Timeout() bool   { return false }
func (*netErr) Temporary() bool { return true }

func TestRefusesBadJobs(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	e.file("_graded/big.mov", pattern(2048))
	outside := e.item("_graded/big.mov")
	outside.Path = "_graded/../../etc/passwd"
	e.enqueue(outside, e.item("_graded/big.mov"))
	e.run(Options{MaxPutSize: 1024})
	if ev := e.next(outside.Path); ev.kind != "fail" || !strings.Contains(ev.reason, "refusing job path") {
		t.Errorf("outside root: %s %q", ev.kind, ev.reason)
	}
	if ev := e.next("_graded/big.mov"); ev.kind != "fail" || !strings.Contains(ev.reason, "larger than the 1KiB single-upload limit") {
		t.Errorf("too large: %s %q", ev.kind, ev.reason)
	}
	if n := st.puts.Load(); n != 0 {
		t.Errorf("%d PUTs", n)
	}
}

func TestLocalPath(t *testing.T) {
	u := New(nil, nil, Options{Root: "/root"})
	job := func(path, disk string) queue.Job { return queue.Job{Item: queue.Item{Path: path, Disk: disk}} }
	for _, rel := range []string{"", "/abs", "a/../b", "..", "a//b", "./a", "a/.", `a\b`} {
		if _, err := u.localPath(job(rel, "")); err == nil {
			t.Errorf("localPath(%q) accepted", rel)
		}
		if _, err := u.localPath(job("a", rel)); rel != "" && err == nil {
			t.Errorf("localPath with disk spelling %q accepted", rel)
		}
	}
	tests := []struct{ path, disk, want string }{
		{"_graded/a b/c.mov", "", "/root/_graded/a b/c.mov"},
		{"_graded/a b/c.mov", "_graded/a b/c.mov", "/root/_graded/a b/c.mov"},
		{"_graded/caf\u00e9.mov", "_graded/cafe\u0301.mov", "/root/_graded/cafe\u0301.mov"},
	}
	for _, tt := range tests {
		if p, err := u.localPath(job(tt.path, tt.disk)); err != nil || p != filepath.FromSlash(tt.want) {
			t.Errorf("localPath(%+q, %+q) = %+q, %v; want %+q", tt.path, tt.disk, p, err, tt.want)
		}
	}
	if _, err := u.localPath(job("_graded/a.mov", "_graded/b.mov")); err == nil || !strings.Contains(err.Error(), "not the same name") {
		t.Errorf("a disk spelling of another name: %v", err)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
		http.Error(w, "broken", http.StatusInternalServerError)
		return true
	})
	e := newEnv(t, st, signFor(st, time.Hour))
	e.enqueue(e.file("_graded/a.mov", pattern(10)))
	e.run(Options{MaxAttempts: 3, RetryMin: time.Millisecond, RetryMax: time.Millisecond})
	ev := e.until("_graded/a.mov", "fail")
	if !strings.Contains(ev.reason, "gave up after 3 attempts") || st.puts.Load() != 3 {
		t.Errorf("fail %q after %d PUTs", ev.reason, st.puts.Load())
	}
}

func TestNetworkErrorIsRedacted(t *testing.T) {
	st := newStorage(t, nil)
	dead := newStorage(t, nil)
	dead.srv.Close() // its URLs now refuse connections
	e := newEnv(t, st, signFor(dead, time.Hour))
	e.enqueue(e.file("_graded/a.mov", pattern(10)))
	e.run(Options{RetryMin: time.Minute})
	ev := e.next("_graded/a.mov")
	if ev.kind != "retry" || strings.Contains(ev.reason, "TOPSECRET") || !strings.Contains(ev.reason, "?…") {
		t.Errorf("got %s %q", ev.kind, ev.reason)
	}
	if strings.Contains(e.logs.String(), "TOPSECRET") {
		t.Errorf("log holds the signature:\n%s", e.logs)
	}
}

func TestRunReturnsQueueErrors(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	u := New(e.signer, e.q, e.options(Options{}))
	e.q.Close()
	err := u.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "lease a job") {
		t.Errorf("Run = %v, want the lease error", err)
	}
	if !errors.Is(err, queue.ErrClosed) {
		t.Errorf("Run error %v does not wrap queue.ErrClosed", err)
	}
}
