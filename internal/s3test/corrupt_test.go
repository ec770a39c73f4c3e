package s3test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// bodies is an HTTP server that keeps every request body it receives.
type bodies struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]byte // path → last body
}

func newBodies(t *testing.T, tlsOn bool) *bodies {
	t.Helper()
	b := &bodies{got: map[string][]byte{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("server: read %s: %v", r.URL.Path, err)
		}
		b.mu.Lock()
		b.got[r.URL.Path] = data
		b.mu.Unlock()
		fmt.Fprintf(w, "%d", len(data))
	})
	if tlsOn {
		b.srv = httptest.NewTLSServer(h)
	} else {
		b.srv = httptest.NewServer(h)
	}
	t.Cleanup(b.srv.Close)
	return b
}

func (b *bodies) body(path string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.got[path]
}

func (b *bodies) addr() string { return b.srv.Listener.Addr().String() }

// newClient is a client with no connection reuse across calls of one
// fresh transport: each newClient is one connection for sequential calls.
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, MaxConnsPerHost: 1}}
}

func putVia(t *testing.T, c *http.Client, url string, body []byte, expect bool) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if expect {
		req.Header.Set("Expect", "100-continue")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d", url, resp.StatusCode)
	}
}

// diff is the offsets where a and b differ (a length change counts once,
// at the shorter length).
func diff(a, b []byte) []int {
	var out []int
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			out = append(out, i)
		}
	}
	if len(a) != len(b) {
		out = append(out, min(len(a), len(b)))
	}
	return out
}

func TestCorrupterDamagesFirstBodyOfFirstConnections(t *testing.T) {
	srv := newBodies(t, false)
	x := Corrupt(t, srv.addr(), CorruptOptions{Connections: 3})
	body := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB, larger than one read
	for i := range 5 {
		c := newClient()
		first, second := fmt.Sprintf("/c%d/first", i), fmt.Sprintf("/c%d/second", i)
		putVia(t, c, "http://"+x.Addr+first, body, i%2 == 0)
		putVia(t, c, "http://"+x.Addr+second, body, false) // same connection
		c.CloseIdleConnections()

		d := diff(body, srv.body(first))
		if i < 3 {
			if len(d) != 1 || d[0] != len(body)/2 {
				t.Errorf("connection %d: first body differs at %v, want exactly at %d", i, d, len(body)/2)
			}
		} else if len(d) != 0 {
			t.Errorf("connection %d (past the budget): first body damaged at %v", i, d)
		}
		if d := diff(body, srv.body(second)); len(d) != 0 {
			t.Errorf("connection %d: second request damaged at %v", i, d)
		}
	}
	if x.Damaged() != 3 || x.Connections() != 5 {
		t.Errorf("damaged %d of %d connections, want 3 of 5", x.Damaged(), x.Connections())
	}
}

func TestCorrupterSparesRequestsWithoutABody(t *testing.T) {
	srv := newBodies(t, false)
	x := Corrupt(t, srv.addr(), CorruptOptions{Connections: 1})
	c := newClient()
	resp, err := c.Get("http://" + x.Addr + "/get")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.CloseIdleConnections()

	// A chunked body has no length to aim at: passed through, not counted.
	c = newClient()
	req, _ := http.NewRequest(http.MethodPut, "http://"+x.Addr+"/chunked", io.MultiReader(strings.NewReader("chunk")))
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.CloseIdleConnections()
	if got := string(srv.body("/chunked")); got != "chunk" {
		t.Errorf("chunked body arrived as %q", got)
	}
	if x.Damaged() != 0 {
		t.Fatalf("damaged %d before any request with a length", x.Damaged())
	}

	putVia(t, newClient(), "http://"+x.Addr+"/put", []byte("abc"), false)
	if got := string(srv.body("/put")); got != "aBc" {
		t.Errorf("body arrived as %q, want the middle byte flipped (aBc)", got)
	}
	if x.Damaged() != 1 {
		t.Errorf("damaged %d, want 1", x.Damaged())
	}
}

func TestCorrupterTerminatesTLS(t *testing.T) {
	// The TLS test server lends its certificate (for 127.0.0.1) and a
	// client that trusts it; the proxy dials a plain server behind.
	certs := newBodies(t, true)
	srv := newBodies(t, false)
	x := Corrupt(t, srv.addr(), CorruptOptions{Connections: 1, TLS: certs.srv.TLS.Clone()})
	c := certs.srv.Client()
	putVia(t, c, "https://"+x.Addr+"/a", []byte("hello"), true)
	if got := string(srv.body("/a")); got != "heLlo" {
		t.Errorf("body arrived as %q, want heLlo", got)
	}
}

func TestCorrupterCutsConnectionsAtCleanup(t *testing.T) {
	srv := newBodies(t, false)
	var x *Corrupter
	t.Run("inner", func(t *testing.T) {
		x = Corrupt(t, srv.addr(), CorruptOptions{})
		c := newClient()
		putVia(t, c, "http://"+x.Addr+"/a", []byte("x"), false) // leaves an idle connection open
	})
	if _, err := http.Get("http://" + x.Addr + "/after"); err == nil {
		t.Error("the proxy still answers after its test ended")
	}
}

// TestVersitygwRefusesDamageWithContentMD5 is the premise of the
// end-to-end test: through the proxy, a PUT without Content-MD5 stores
// damaged bytes with 200, and one with it is refused with BadDigest.
func TestVersitygwRefusesDamageWithContentMD5(t *testing.T) {
	s := Start(t)
	x := Corrupt(t, strings.TrimPrefix(s.Endpoint, "http://"), CorruptOptions{Connections: 2})
	via := s.Via(x.Addr)
	body := []byte("graded clip bytes, 32 of them..")
	sum := md5.Sum(body)

	plain, _ := via.Presign("plain", time.Minute)
	if code := put(t, plain, body); code != http.StatusOK {
		t.Fatalf("PUT without Content-MD5: %d", code)
	}
	if got, _ := s.Object(t, "plain"); bytes.Equal(got, body) {
		t.Error("the proxy did not damage the object")
	}

	checked, _ := via.Presign("checked", time.Minute)
	req, _ := http.NewRequest(http.MethodPut, checked, bytes.NewReader(body))
	req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(answer, []byte("BadDigest")) {
		t.Errorf("damaged PUT with Content-MD5: %d %s, want 400 BadDigest", resp.StatusCode, answer)
	}
	if _, ok := s.Object(t, "checked"); ok {
		t.Error("the damaged body was stored despite its Content-MD5")
	}
	if x.Damaged() != 2 {
		t.Errorf("damaged %d, want 2", x.Damaged())
	}
}
