package uploader

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestTransportKeepsEveryConnection: NewTransport(workers) keeps idle as
// many connections as PUTs can run at once (workers, the lane, a
// first-class job passing a full shared pool): bursts of workers+2
// overlapping PUTs over TLS dial and shake hands once per connection, not
// again for each burst.
func TestTransportKeepsEveryConnection(t *testing.T) {
	const workers, burst = 2, 4
	var conns atomic.Int64
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		arrived.Wait() // every PUT of the burst in flight at once
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := NewTransport(workers)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr.TLSClientConfig.RootCAs = pool
	hc := &http.Client{Transport: tr}
	t.Cleanup(hc.CloseIdleConnections)
	for round := range 3 {
		arrived.Add(burst)
		var g sync.WaitGroup
		for range burst {
			g.Go(func() {
				req, _ := http.NewRequest(http.MethodPut, srv.URL+"/x", strings.NewReader("thumbnail"))
				resp, err := hc.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			})
		}
		g.Wait()
		if n := conns.Load(); n != burst {
			t.Fatalf("after burst %d: %d connections dialled, want %d (an idle one was closed and dialled again)", round+1, n, burst)
		}
	}
}
