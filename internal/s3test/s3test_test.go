package s3test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func put(t *testing.T, rawURL string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServerPresignedPut(t *testing.T) {
	s := Start(t)
	keys := []string{"_graded/a b#1?%+.mov", "_thumbnails/café.jpg"}
	for i, key := range keys {
		u, err := s.Presign(key, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if code := put(t, u, []byte(strings.Repeat("x", i+1))); code != http.StatusOK {
			t.Fatalf("PUT %s: %d", key, code)
		}
		if got, ok := s.Object(t, key); !ok || len(got) != i+1 {
			t.Errorf("object %s = %q, %v", key, got, ok)
		}
	}
	if _, ok := s.Object(t, "missing"); ok {
		t.Error("missing key reported present")
	}
	got := s.Keys(t)
	slices.Sort(got)
	if !slices.Equal(got, keys) {
		t.Errorf("keys = %q, want %q", got, keys)
	}
	expired, _ := s.Presign("late", time.Second)
	time.Sleep(2 * time.Second) // wait out the URL's lifetime, not a goroutine
	if code := put(t, expired, []byte("x")); code != http.StatusForbidden {
		t.Errorf("expired URL: %d, want 403", code)
	}
}

// TestServerTLS: StartTLS serves https that a client trusting Roots
// accepts, directly and through a Link (TLS passes through), and
// the bundle holds what $SSL_CERT_FILE held, then the test CA.
func TestServerTLS(t *testing.T) {
	before := filepath.Join(t.TempDir(), "system.pem")
	if err := os.WriteFile(before, []byte("# the system's bundle\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", before)
	s := StartTLS(t)
	if !strings.HasPrefix(s.Endpoint, "https://127.0.0.1:") || s.Scheme() != "https" {
		t.Fatalf("endpoint %s, scheme %s", s.Endpoint, s.Scheme())
	}
	hc := &http.Client{Transport: s.transport()}
	link := Proxy(t, s.Host())
	for _, srv := range []*Server{s, s.Via(link.Addr)} {
		u, err := srv.Presign("_thumbnails/a.jpg", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, srv.Endpoint+"/") {
			t.Errorf("presigned %s, not on %s", u, srv.Endpoint)
		}
		req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader("jpg"))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("PUT over https: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("PUT over https to %s: %s", srv.Endpoint, resp.Status)
		}
	}
	if _, err := http.DefaultClient.Get(s.Endpoint); err == nil {
		t.Errorf("a client without the test CA accepted the certificate")
	}
	data, err := os.ReadFile(s.CABundle)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# the system's bundle\n-----BEGIN CERTIFICATE-----") {
		t.Errorf("bundle does not start with the old one, then the CA:\n%.120s", data)
	}
}
