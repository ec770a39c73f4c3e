package toxi

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/s3test"
)

// put sends body to a presigned URL and returns the status, 0 when the
// request failed.
func put(t *testing.T, u string, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestProxyOutage(t *testing.T) {
	s := s3test.Start(t)
	x := Proxy(t, strings.TrimPrefix(s.Endpoint, "http://"))
	u, _ := s.Via(x.Addr).Presign("k", time.Minute)
	name := x.Latency(Upstream, 200, 0)
	start := time.Now()
	if code := put(t, u, []byte("one")); code != http.StatusOK || time.Since(start) < 200*time.Millisecond {
		t.Errorf("slow PUT: %d after %s", code, time.Since(start))
	}
	x.Remove(name)
	x.Disable()
	if code := put(t, u, []byte("two")); code != 0 {
		t.Errorf("PUT during outage: %d", code)
	}
	x.Enable()
	if code := put(t, u, []byte("three")); code != http.StatusOK {
		t.Errorf("PUT after outage: %d", code)
	}
	if got, _ := s.Object(t, "k"); string(got) != "three" {
		t.Errorf("object = %q", got)
	}
}
