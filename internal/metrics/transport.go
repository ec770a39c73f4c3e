package metrics

import (
	"net/http"
	"time"
)

// Transport wraps next so that every PUT through it is observed by s
// (duration from the request's start to the answer's headers, which for a
// PUT come after the body; size is the Content-Length). Other requests
// pass through unobserved. httptrace hooks in the request's context reach
// next unchanged.
func (s *Show) Transport(next http.RoundTripper) http.RoundTripper {
	return &putTransport{next: next, s: s}
}

type putTransport struct {
	next http.RoundTripper
	s    *Show
}

func (t *putTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPut {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.s.Put(time.Since(start), req.ContentLength)
	}
	return resp, err
}

// CloseIdleConnections forwards to next, as http.Client expects of a
// transport that has them.
func (t *putTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
