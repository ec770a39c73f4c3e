package odailies

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

const testProject = "proj 1"

// newTestClient starts a server running h and returns a client for it
// and the server's request count.
func newTestClient(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + "/api/v1/", ProjectID: testProject, Token: testToken, UserAgent: "odailies-test/1"})
	if err != nil {
		t.Fatal(err)
	}
	return c, &hits
}

// assertNoToken fails when text shows the test token in any spelling.
func assertNoToken(t *testing.T, text string) {
	t.Helper()
	for _, sp := range []string{testToken, escapeSegment(testToken), url.PathEscape(testToken), url.QueryEscape(testToken), "secret"} {
		if strings.Contains(text, sp) {
			t.Errorf("text shows the token (%q): %s", sp, text)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		base    string
		project string
		token   string
		ok      bool
	}{
		{"https", "https://odailies.com/api/v1", "p", testToken, true},
		{"https trailing slash", "https://odailies.com/api/v1/", "p", testToken, true},
		{"http loopback v4", "http://127.0.0.1:8080/api/v1", "p", testToken, true},
		{"http loopback v6", "http://[::1]:8080/api/v1", "p", testToken, true},
		{"http localhost", "http://localhost/api/v1", "p", testToken, true},
		{"http remote", "http://odailies.com/api/v1", "p", testToken, false},
		{"http private address", "http://10.0.0.1/api/v1", "p", testToken, false},
		{"ftp", "ftp://odailies.com/api/v1", "p", testToken, false},
		{"relative", "/api/v1", "p", testToken, false},
		{"no host", "https:///api/v1", "p", testToken, false},
		{"empty", "", "p", testToken, false},
		{"unparsable", "https://[::1/x", "p", testToken, false},
		{"userinfo", "https://u:pw@odailies.com/api/v1", "p", testToken, false},
		{"query", "https://odailies.com/api/v1?x=1", "p", testToken, false},
		{"no project", "https://odailies.com/api/v1", "", testToken, false},
		{"dot project", "https://odailies.com/api/v1", "..", testToken, false},
		{"no token", "https://odailies.com/api/v1", "p", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Options{BaseURL: tt.base, ProjectID: tt.project, Token: tt.token})
			if tt.ok != (err == nil) {
				t.Fatalf("New(%q) error = %v, want ok = %v", tt.base, err, tt.ok)
			}
			if err != nil {
				assertNoToken(t, err.Error())
				if strings.Contains(err.Error(), "pw") {
					t.Errorf("error shows userinfo: %v", err)
				}
				return
			}
			if strings.HasSuffix(c.base, "/") {
				t.Errorf("base %q keeps its trailing slash", c.base)
			}
		})
	}
}

func TestCheckRedirect(t *testing.T) {
	tests := []struct {
		to  string
		via int
		ok  bool
	}{
		{"https://odailies.com/x", 1, true},
		{"http://127.0.0.1:9/x", 1, true},
		{"http://odailies.com/x", 1, false},
		{"https://odailies.com/x", 5, false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.to, nil)
		err := checkRedirect(req, make([]*http.Request, tt.via))
		if tt.ok != (err == nil) {
			t.Errorf("checkRedirect(%s, %d) = %v, want ok = %v", tt.to, tt.via, err, tt.ok)
		}
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestNetworkErrorsAreRedacted(t *testing.T) {
	c, err := New(Options{BaseURL: "http://" + closedPort(t) + "/api/v1", ProjectID: testProject, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"sign":  func() error { _, err := c.SignUpload(t.Context(), "_graded/a.mov"); return err },
		"clips": func() error { _, err := c.Clips(t.Context()); return err },
		"patch": func() error {
			_, err := c.PatchClips(t.Context(), []Clip{{"name": "a"}})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatal("call to a closed port succeeded")
			}
			assertNoToken(t, err.Error())
			if !strings.Contains(err.Error(), redact.Token(testToken)) {
				t.Errorf("error %q does not show the redacted URL", err)
			}
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %v is not a *url.Error", err)
			}
			assertNoToken(t, ue.Error())
			if !IsTransient(err) {
				t.Errorf("IsTransient(%v) = false", err)
			}
		})
	}
}

func TestContextErrorsSurvive(t *testing.T) {
	release := make(chan struct{})
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.SignUpload(ctx, "_graded/a.mov")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v is not context.DeadlineExceeded", err)
	}
	assertNoToken(t, err.Error())
}
