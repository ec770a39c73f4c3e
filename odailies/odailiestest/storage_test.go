package odailiestest_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

func TestRoundTrip(t *testing.T) {
	for _, wrapped := range []bool{false, true} {
		s := start(t, nil)
		s.SetWrapped(wrapped)
		const nfc = "_graded/day 2/caf\u00e9 #1+2%.mov"
		su := sign(t, s, "_graded\\day 2\\cafe\u0301 #1+2%.mov")
		body := []byte("graded bytes")
		if status, msg := put(t, su.URL, body); status != http.StatusOK {
			t.Fatalf("wrapped=%v: PUT %d %s", wrapped, status, msg)
		}
		if got, ok := s.Received(nfc); !ok || !bytes.Equal(got, body) {
			t.Errorf("wrapped=%v: Received = %q, %v", wrapped, got, ok)
		}
		if p := s.SignedPaths(); len(p) != 1 || p[0] != nfc {
			t.Errorf("SignedPaths = %q", p)
		}
		if s.Requests("sign") != 1 || s.Requests("put") != 1 || s.Requests("bogus") != 0 {
			t.Errorf("requests: sign %d, put %d", s.Requests("sign"), s.Requests("put"))
		}
		if h, ok := s.PutHeader(nfc); !ok || h.Get("Content-Type") != "" || h.Get("Content-Length") != "12" {
			t.Errorf("PutHeader = %v, %v", h, ok)
		}
	}
}

func TestEmptyFile(t *testing.T) {
	s := start(t, nil)
	if status, msg := put(t, sign(t, s, "_thumbnails/empty.jpg").URL, nil); status != http.StatusOK {
		t.Fatalf("PUT %d %s", status, msg)
	}
	if got, ok := s.Received("_thumbnails/empty.jpg"); !ok || len(got) != 0 {
		t.Errorf("Received = %q, %v", got, ok)
	}
}

func TestPutRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*odailiestest.Server)
		req    func(t *testing.T, u string) *http.Request
		status int
		code   string
	}{
		{"bad signature", nil, reqWith(func(u string) string { return u[:len(u)-1] + flip(u[len(u)-1]) }, "body"), 403, "SignatureDoesNotMatch"},
		{"other path", nil, reqWith(func(u string) string { return strings.Replace(u, "a.mov", "b.mov", 1) }, "body"), 403, "SignatureDoesNotMatch"},
		{"no query", nil, reqWith(func(u string) string { return u[:strings.IndexByte(u, '?')] }, "body"), 403, "SignatureDoesNotMatch"},
		{"longer expiry", nil, reqWith(func(u string) string { return strings.Replace(u, "expires=", "expires=9", 1) }, "body"), 403, "SignatureDoesNotMatch"},
		{"expired", func(s *odailiestest.Server) { s.SetURLLifetime(-time.Minute) }, reqWith(nil, "body"), 403, "Request has expired"},
		{"chunked", nil, chunkedReq, 411, "MissingContentLength"},
		{"too large", nil, reqWith(nil, "eleven byte"), 400, "EntityTooLarge"},
		{"GET", nil, getReq, 405, "MethodNotAllowed"},
		{"wrong digest", nil, withMD5("body", "other"), 400, "BadDigest"},
		{"digest not base64", nil, withHeader("body", "Content-MD5", "not base64!"), 400, "InvalidDigest"},
		{"digest of 15 bytes", nil, withHeader("body", "Content-MD5", base64.StdEncoding.EncodeToString(make([]byte, 15))), 400, "InvalidDigest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, func(o *odailiestest.Options) { o.MaxPutSize = 10 })
			if tt.setup != nil {
				tt.setup(s)
			}
			status, msg := do(t, http.DefaultClient, tt.req(t, sign(t, s, "_graded/a.mov").URL))
			if status != tt.status || !strings.Contains(msg, tt.code) || !strings.HasPrefix(msg, "<?xml") {
				t.Errorf("PUT answered %d %q, want %d with %s", status, msg, tt.status, tt.code)
			}
			if _, ok := s.Received("_graded/a.mov"); ok {
				t.Error("a refused PUT was stored")
			}
		})
	}
}

// TestContentMD5Checked: a PUT whose Content-MD5 is the body's is stored
// with that MD5 as its ETag; a wrong one is counted as "bad-digest".
func TestContentMD5Checked(t *testing.T) {
	s := start(t, nil)
	u := sign(t, s, "_graded/a.mov").URL
	resp, err := http.DefaultClient.Do(withMD5("graded", "graded")(t, u))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sum := md5.Sum([]byte("graded"))
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("PUT %d, ETag %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if status, _ := do(t, http.DefaultClient, withMD5("damaged", "graded")(t, u)); status != 400 {
		t.Errorf("damaged body: %d", status)
	}
	if got, _ := s.Received("_graded/a.mov"); string(got) != "graded" || s.Requests("bad-digest") != 1 || s.Requests("put") != 2 {
		t.Errorf("stored %q; bad-digest %d, put %d", got, s.Requests("bad-digest"), s.Requests("put"))
	}
}

// withMD5 PUTs body with the Content-MD5 of digestOf.
func withMD5(body, digestOf string) func(*testing.T, string) *http.Request {
	sum := md5.Sum([]byte(digestOf))
	return withHeader(body, "Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
}

func withHeader(body, k, v string) func(*testing.T, string) *http.Request {
	return func(t *testing.T, u string) *http.Request {
		req := reqWith(nil, body)(t, u)
		req.Header.Set(k, v)
		return req
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

// reqWith returns a request builder that PUTs body to the URL edit makes.
func reqWith(edit func(string) string, body string) func(*testing.T, string) *http.Request {
	return func(t *testing.T, u string) *http.Request {
		if edit != nil {
			u = edit(u)
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
}

func chunkedReq(t *testing.T, u string) *http.Request {
	req := reqWith(nil, "")(t, u)
	req.Body = io.NopCloser(strings.NewReader("body of unknown length"))
	req.ContentLength = -1
	return req
}

func getReq(t *testing.T, u string) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// gatedBody calls first on its first Read. With Expect: 100-continue the
// client reads the body only after the server has accepted the request
// start, so first runs between the storage's checks and its reading.
type gatedBody struct {
	once  sync.Once
	first func()
	r     io.Reader
	err   error // returned after r is exhausted, instead of io.EOF
}

func (b *gatedBody) Read(p []byte) (int, error) {
	b.once.Do(b.first)
	n, err := b.r.Read(p)
	if err == io.EOF && b.err != nil {
		err = b.err
	}
	return n, err
}

// continueClient waits as long as it takes for 100 Continue.
func continueClient(t *testing.T) *http.Client {
	tr := &http.Transport{ExpectContinueTimeout: time.Hour}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func continueReq(t *testing.T, u string, size int64, body io.Reader) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Expect", "100-continue")
	return req
}

func TestExpiryCheckedAtStart(t *testing.T) {
	s := start(t, nil)
	s.SetURLLifetime(time.Minute)
	su := sign(t, s, "_graded/a.mov")
	body := &gatedBody{first: func() { s.SetClockSkew(time.Hour) }, r: strings.NewReader("late bytes")}
	if status, msg := do(t, continueClient(t), continueReq(t, su.URL, 10, body)); status != http.StatusOK {
		t.Fatalf("PUT that started in time answered %d %s", status, msg)
	}
	if status, msg := put(t, su.URL, []byte("late bytes")); status != http.StatusForbidden || !strings.Contains(msg, "expired") {
		t.Errorf("PUT that started late answered %d %s", status, msg)
	}
}

func TestCutBodyStoresNothing(t *testing.T) {
	s := start(t, nil)
	su := sign(t, s, "_graded/a.mov")
	body := &gatedBody{first: func() {}, r: strings.NewReader("half"), err: errors.New("disk gone")}
	resp, err := continueClient(t).Do(continueReq(t, su.URL, 100, body))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a cut body answered %d", resp.StatusCode)
	}
	if _, ok := s.Received("_graded/a.mov"); ok {
		t.Error("a cut body was stored")
	}
	if s.Requests("put") != 1 {
		t.Errorf("%d PUTs counted", s.Requests("put"))
	}
	// The same URL still works for the retry.
	if status, msg := put(t, su.URL, []byte("whole")); status != http.StatusOK {
		t.Fatalf("retry PUT %d %s", status, msg)
	}
	if got, _ := s.Received("_graded/a.mov"); string(got) != "whole" {
		t.Errorf("Received %q after the retry", got)
	}
}

func TestFailPut(t *testing.T) {
	s := start(t, nil)
	su := sign(t, s, "_graded/a.mov")
	s.FailPut(2, http.StatusServiceUnavailable)
	for i := range 2 {
		if status, _ := put(t, su.URL, []byte("x")); status != http.StatusServiceUnavailable {
			t.Errorf("PUT %d answered %d, want 503", i, status)
		}
	}
	if status, _ := put(t, su.URL, []byte("x")); status != http.StatusOK {
		t.Errorf("PUT after the faults answered %d", status)
	}
	if n := s.Requests("put"); n != 3 {
		t.Errorf("%d PUTs counted, want 3", n)
	}
}
