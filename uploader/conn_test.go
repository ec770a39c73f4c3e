package uploader

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// connStorage is storage on an httptest server, plain or TLS, that counts
// the connections it accepts. PUTs of paths holding "pair" wait until two
// of them have arrived (so the client opens two connections); the first
// PUT of a path holding "refused" gets a 403 before its body is read.
type connStorage struct {
	srv     *httptest.Server
	conns   atomic.Int64
	pair    sync.WaitGroup
	refused atomic.Int64

	mu      sync.Mutex
	objects map[string][]byte
}

func newConnStorage(t *testing.T, tls bool) *connStorage {
	s := &connStorage{objects: map[string][]byte{}}
	s.pair.Add(2)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tls {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *connStorage) serve(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "refused") && s.refused.Add(1) == 1 {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
		return
	}
	if strings.Contains(r.URL.Path, "pair") {
		s.pair.Done()
		s.pair.Wait()
	}
	data, err := io.ReadAll(r.Body)
	if err != nil || int64(len(data)) != r.ContentLength {
		http.Error(w, "short body", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.objects[strings.TrimPrefix(r.URL.Path, "/")] = data
	s.mu.Unlock()
}

func (s *connStorage) object(rel string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[rel]
}

// signer signs URLs to s that live an hour.
func (s *connStorage) signer() *stubSigner {
	return &stubSigner{sign: func(_ context.Context, rel string, n int64) (odailies.SignedURL, error) {
		return odailies.SignedURL{URL: fmt.Sprintf("%s/%s?X-Amz-Signature=sig%016d", s.srv.URL, rel, n),
			ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
}

// client is NewTransport's client for workers uploads, trusting the test
// server's certificate.
func (s *connStorage) client(workers int) *http.Client {
	tr := NewTransport(workers)
	if s.srv.TLS != nil {
		pool := x509.NewCertPool()
		pool.AddCert(s.srv.Certificate())
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr}
}

func randomData(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestRefusalKeepsIdleConnections: a PUT refused before its body was sent
// (a 403 to Expect: 100-continue, then signed again) costs its own
// connection only: the transport does not reuse one whose body was not
// sent, and the other idle keep-alive connections serve the retry. Over
// plain http and over TLS, where a new connection is a handshake.
func TestRefusalKeepsIdleConnections(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls %v", tls), func(t *testing.T) {
			st := newConnStorage(t, tls)
			e := newEnv(t, nil, st.signer())
			pair := []string{"_graded/pair1.mov", "_graded/pair2.mov"}
			for _, p := range pair {
				e.enqueue(e.file(p, randomData(3<<20)))
			}
			e.run(Options{Workers: 2, HTTPClient: st.client(2)})
			for _, p := range pair {
				if ev := e.next(p); ev.kind != "done" {
					t.Fatalf("%s: %s %q", p, ev.kind, ev.reason)
				}
			}
			if n := st.conns.Load(); n != 2 {
				t.Fatalf("%d connections for two PUTs at once, want 2", n)
			}
			want := randomData(3<<20 + 1)
			e.enqueue(e.file("_graded/refused.mov", want))
			if ev := e.next("_graded/refused.mov"); ev.kind != "done" {
				t.Fatalf("refused.mov: %s %q", ev.kind, ev.reason)
			}
			if n := st.refused.Load(); n != 2 {
				t.Errorf("%d PUTs of refused.mov, want 2 (the 403, the re-signed one)", n)
			}
			if !bytes.Equal(st.object("_graded/refused.mov"), want) {
				t.Errorf("refused.mov stored differs from the file")
			}
			if n := st.conns.Load(); n != 2 {
				t.Errorf("%d connections after the refusal, want still 2: the retry should take the idle one", n)
			}
		})
	}
}

// TestUploadOverTLS: files of every shape arrive byte for byte over TLS,
// with and without a limiter on the body reader.
func TestUploadOverTLS(t *testing.T) {
	sizes := []int{0, 1, 70_000, 3<<20 + 5}
	for _, bp := range bodyPaths {
		t.Run(bp.name, func(t *testing.T) {
			st := newConnStorage(t, true)
			e := newEnv(t, nil, st.signer())
			files := map[string][]byte{}
			for i, n := range sizes {
				p := fmt.Sprintf("_graded/c%d.mov", i)
				files[p] = randomData(n)
				e.enqueue(e.file(p, files[p]))
			}
			e.run(Options{Workers: 2, Bandwidth: bp.bandwidth, HTTPClient: st.client(2)})
			for p, want := range files {
				if ev := e.next(p); ev.kind != "done" {
					t.Fatalf("%s: %s %q", p, ev.kind, ev.reason)
				}
				if got := st.object(p); !bytes.Equal(got, want) {
					t.Errorf("%s: stored %d bytes that differ from the file's %d", p, len(got), len(want))
				}
			}
		})
	}
}
