package uploader

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// bodyPaths are the two ways a body reader runs: with no limiter, and
// waiting on one before each chunk, which any bandwidth limit sets.
var bodyPaths = []struct {
	name      string
	bandwidth int64
}{{"unlimited", 0}, {"paced", 1 << 40}}

// redirecting is storage that answers every PUT with status and a
// Location to the same object on target, without reading the body.
func redirecting(t *testing.T, status int, target *storage) *storage {
	return newStorage(t, func(w http.ResponseWriter, r *http.Request, _ int64) bool {
		w.Header().Set("Location", target.urlFor(strings.TrimPrefix(r.URL.Path, "/")))
		w.WriteHeader(status)
		return true
	})
}

// TestRedirectThatDropsTheBodyFails: 301, 302 and 303 would turn the PUT
// into a GET without a body; it is never sent, and the job fails at
// once, naming the redirect without its signature.
func TestRedirectThatDropsTheBodyFails(t *testing.T) {
	for _, status := range []int{301, 302, 303} {
		t.Run(itoa(status), func(t *testing.T) {
			target := newStorage(t, nil)
			from := redirecting(t, status, target)
			e := newEnv(t, from, signFor(from, time.Hour))
			e.enqueue(e.file("_graded/a.mov", pattern(3<<20)))
			e.run(Options{})
			ev := e.next("_graded/a.mov")
			want := "PUT _graded/a.mov: the storage redirected the upload (" + itoa(status) + " to " +
				target.srv.URL + "/_graded/a.mov?…): a signed URL must not redirect; check the storage endpoint"
			if ev.kind != "fail" || ev.reason != want {
				t.Errorf("got %s %q,\nwant fail %q", ev.kind, ev.reason, want)
			}
			if n := target.puts.Load(); n != 0 {
				t.Errorf("the redirect was followed: %d requests to its target", n)
			}
			if n := from.puts.Load(); n != 1 {
				t.Errorf("%d PUTs, want 1 (permanent)", n)
			}
			if strings.Contains(e.logs.String(), "TOPSECRET") {
				t.Errorf("log holds the signature:\n%s", e.logs)
			}
		})
	}
}

// TestRedirectResendsBody: a 307 or 308 to another server sends the whole
// body there, from the file's first byte, with its exact length; the
// bytes counted are the bytes sent, on either body path.
func TestRedirectResendsBody(t *testing.T) {
	for _, status := range []int{307, 308} {
		for _, size := range []int{1000, 3 << 20} {
			for _, bp := range bodyPaths {
				t.Run(itoa(status)+"/"+itoa(size)+"/"+bp.name, func(t *testing.T) {
					testRedirectResends(t, status, size, bp.bandwidth)
				})
			}
		}
	}
}

func testRedirectResends(t *testing.T, status, size int, bandwidth int64) {
	target := newStorage(t, nil)
	from := redirecting(t, status, target)
	e := newEnv(t, from, signFor(from, time.Hour))
	want := pattern(size)
	e.enqueue(e.file("_graded/a.mov", want))
	u, r := e.run(Options{Bandwidth: bandwidth})
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("got %s %q, want done", ev.kind, ev.reason)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	got, h, ok := target.object("_graded/a.mov")
	if !ok || !bytes.Equal(got, want) || h.Get("Content-Length") != itoa(size) {
		t.Errorf("target stored %d bytes (present %v, Content-Length %q), want %d", len(got), ok, h.Get("Content-Length"), size)
	}
	if sum := md5.Sum(want); h.Get("Content-MD5") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("the redirected PUT carried Content-MD5 %q", h.Get("Content-MD5")) // the target checked it too
	}
	if _, _, ok := from.object("_graded/a.mov"); ok || from.puts.Load() != 1 || target.puts.Load() != 1 {
		t.Errorf("%d PUTs to the first server, %d to the target", from.puts.Load(), target.puts.Load())
	}
	s := u.Snapshot()
	if s.Uploaded != 1 || s.BytesDone != int64(size) || len(s.Active) != 0 {
		t.Errorf("snapshot %+v", s)
	}
	// Large bodies wait for 100 Continue, which the first server never
	// sends: none of their bytes went there. Small ones may have gone
	// twice.
	total := u.stats.total.Load()
	if size > expectAbove && total != int64(size) || total < int64(size) || total > 2*int64(size) {
		t.Errorf("%d body bytes counted for one %d-byte file", total, size)
	}
}

// TestRedirectToPlainHTTPRefused: an https PUT redirected to plain http
// on a host that is not loopback is not followed, whatever
// AllowInsecureStorage says, and the job fails naming the host.
func TestRedirectToPlainHTTPRefused(t *testing.T) {
	const to = "http://storage.invalid/_graded/a.mov?sig=TOPSECRET"
	for _, allow := range []bool{false, true} {
		t.Run("allow insecure "+map[bool]string{false: "unset", true: "set"}[allow], func(t *testing.T) {
			tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, to, http.StatusTemporaryRedirect)
			}))
			t.Cleanup(tls.Close)
			signer := &stubSigner{sign: func(context.Context, string, int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{URL: tls.URL + "/_graded/a.mov?sig=TOPSECRET", ExpiresAt: time.Now().Add(time.Hour)}, nil
			}}
			e := newEnv(t, nil, signer)
			e.enqueue(e.file("_graded/a.mov", pattern(1000)))
			e.run(Options{AllowInsecureStorage: allow, HTTPClient: &http.Client{Transport: tls.Client().Transport}})
			ev := e.next("_graded/a.mov")
			want := "PUT _graded/a.mov: the storage redirected the upload (307 to http://storage.invalid/_graded/a.mov?…): " +
				"refused, plain http to storage.invalid would send the file and its signature unencrypted; check the storage endpoint"
			if ev.kind != "fail" || ev.reason != want {
				t.Errorf("got %s %q,\nwant fail %q", ev.kind, ev.reason, want)
			}
		})
	}
}

// TestSignedURLPlainHTTP: a signed URL that is plain http to a host that
// is not loopback fails its job before any PUT, naming the host, unless
// AllowInsecureStorage is set.
func TestSignedURLPlainHTTP(t *testing.T) {
	st := newStorage(t, nil)
	signer := &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		u := strings.Replace(st.urlFor(rel), st.srv.URL, "http://storage.invalid", 1)
		return odailies.SignedURL{URL: u, ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	// storage.invalid is the test storage: no PUT may reach it unless allowed.
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, st.srv.Listener.Addr().String())
		},
	}}
	for _, allow := range []bool{false, true} {
		t.Run(map[bool]string{false: "refused", true: "allowed"}[allow], func(t *testing.T) {
			e := newEnv(t, st, signer)
			e.enqueue(e.file("_graded/a.mov", pattern(1000)))
			before := st.puts.Load()
			e.run(Options{AllowInsecureStorage: allow, HTTPClient: hc})
			ev := e.next("_graded/a.mov")
			if allow {
				if ev.kind != "done" || st.puts.Load() != before+1 {
					t.Errorf("got %s %q after %d PUTs, want done", ev.kind, ev.reason, st.puts.Load()-before)
				}
				return
			}
			want := "PUT _graded/a.mov: refusing the signed URL http://storage.invalid/_graded/a.mov?…: " +
				"plain http to storage.invalid would send the file and its signature unencrypted"
			if ev.kind != "fail" || ev.reason != want {
				t.Errorf("got %s %q,\nwant fail %q", ev.kind, ev.reason, want)
			}
			if n := st.puts.Load() - before; n != 0 {
				t.Errorf("%d PUTs", n)
			}
		})
	}
}

// TestStorageURLProblem: https anywhere, http on loopback, http anywhere
// only when allowed; redirects never from https down to plain http.
func TestStorageURLProblem(t *testing.T) {
	tests := []struct {
		prev, next string
		allow      bool
		ok         bool
	}{
		{"", "https://s3.example.com/b/k", false, true},
		{"", "http://127.0.0.1:9000/b/k", false, true},
		{"", "http://[::1]:9000/b/k", false, true},
		{"", "http://localhost/b/k", false, true},
		{"", "http://s3.example.com/b/k", false, false},
		{"", "http://s3.example.com/b/k", true, true},
		{"", "ftp://s3.example.com/b/k", true, false},
		{"https://a.example.com/k", "http://b.example.com/k", true, false},
		{"https://a.example.com/k", "http://127.0.0.1/k", false, true},
		{"http://a.example.com/k", "http://b.example.com/k", true, true},
		{"http://a.example.com/k", "http://b.example.com/k", false, false},
	}
	for _, tc := range tests {
		next := mustParse(t, tc.next)
		why := storageURLProblem(next, tc.allow)
		if tc.prev != "" {
			why = redirectProblem(mustParse(t, tc.prev), next, tc.allow)
		}
		if (why == "") != tc.ok {
			t.Errorf("%s -> %s (allow %v): %q, want ok %v", tc.prev, tc.next, tc.allow, why, tc.ok)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRedirectLoopStops: 307s that never end stop after maxRedirects
// hops, and the job fails saying so.
func TestRedirectLoopStops(t *testing.T) {
	var self *storage
	self = newStorage(t, func(w http.ResponseWriter, r *http.Request, _ int64) bool {
		w.Header().Set("Location", self.urlFor(strings.TrimPrefix(r.URL.Path, "/")))
		w.WriteHeader(http.StatusTemporaryRedirect)
		return true
	})
	e := newEnv(t, self, signFor(self, time.Hour))
	e.enqueue(e.file("_graded/a.mov", pattern(1000)))
	e.run(Options{})
	ev := e.next("_graded/a.mov")
	want := "PUT _graded/a.mov: the storage redirected the upload (307 to " + self.srv.URL +
		"/_graded/a.mov?…): stopped after 5 redirects; check the storage endpoint"
	if ev.kind != "fail" || ev.reason != want {
		t.Errorf("got %s %q,\nwant fail %q", ev.kind, ev.reason, want)
	}
	if n := self.puts.Load(); n != maxRedirects+1 {
		t.Errorf("%d PUTs, want %d", n, maxRedirects+1)
	}
}
