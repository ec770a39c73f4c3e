package e2e

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// putCounter is an HTTP proxy between the daemon and storage that counts
// the PUTs it forwards, per object key. SigV4 signs the host the daemon
// connects to, so it forwards each request with its Host header as sent.
type putCounter struct {
	addr   string // host:port the presigned URLs point at
	bucket string

	mu   sync.Mutex
	puts map[string]int // object key → PUT requests received
}

// newPutCounter starts a counter on loopback in front of upstream
// (host:port: the S3 server or a toxiproxy link) and stops it in
// t.Cleanup.
func newPutCounter(t *testing.T, upstream, bucket string) *putCounter {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: upstream}
	pc := &putCounter{bucket: bucket, puts: map[string]int{}}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // the signed host
			// The proxy reads the body as it comes; the daemon's
			// Expect: 100-continue was answered here already.
			pr.Out.Header.Del("Expect")
		},
		Transport: &http.Transport{Proxy: nil},
		ErrorLog:  log.New(io.Discard, "", 0), // cut uploads are expected
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			pc.count(r.URL.Path)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	pc.addr = strings.TrimPrefix(srv.URL, "http://")
	return pc
}

func (pc *putCounter) count(path string) {
	key := strings.TrimPrefix(path, "/"+pc.bucket+"/")
	pc.mu.Lock()
	pc.puts[key]++
	pc.mu.Unlock()
}

// Puts is how many PUTs of key reached the proxy so far.
func (pc *putCounter) Puts(key string) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.puts[key]
}

// Under is how many PUTs of keys starting with prefix reached the proxy
// so far; "" counts them all.
func (pc *putCounter) Under(prefix string) int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	n := 0
	for key, c := range pc.puts {
		if strings.HasPrefix(key, prefix) {
			n += c
		}
	}
	return n
}

// signs counts the sign requests the fake API answered for rel.
func (r *rig) signs(rel string) int {
	n := 0
	for _, p := range r.api.SignedPaths() {
		if p == rel {
			n++
		}
	}
	return n
}
