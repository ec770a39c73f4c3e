package odailiestest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

const (
	project  = "proj-1"
	upTok    = "upload-token-0123456789"
	readTok  = "read-token-0123456789"
	rwTok    = "read-write-token-0123456789"
	noneTok  = "no-flags-token-0123456789"
	wrongTok = "unknown-token-0123456789"
)

// start runs a fake with the test tokens and a temporary Dir; change
// adjusts the options first.
func start(t *testing.T, change func(*odailiestest.Options)) *odailiestest.Server {
	t.Helper()
	o := odailiestest.Options{
		ProjectID: project,
		Tokens: map[string]odailiestest.Perm{
			upTok: odailiestest.Upload, readTok: odailiestest.Read,
			rwTok: odailiestest.Read | odailiestest.Write, noneTok: 0,
		},
		Dir: t.TempDir(),
	}
	if change != nil {
		change(&o)
	}
	s, err := odailiestest.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// client returns an API client for s with token tok in project proj.
func client(t *testing.T, s *odailiestest.Server, proj, tok string) *odailies.Client {
	t.Helper()
	c, err := odailies.New(odailies.Options{BaseURL: s.URL(), ProjectID: proj, Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sign asks s for a URL for rel with the upload token.
func sign(t *testing.T, s *odailiestest.Server, rel string) odailies.SignedURL {
	t.Helper()
	su, err := client(t, s, project, upTok).SignUpload(t.Context(), rel)
	if err != nil {
		t.Fatal(err)
	}
	return su
}

// put sends body to u with an exact Content-Length and returns the status
// and answer body.
func put(t *testing.T, u string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.DefaultClient, req)
}

// do sends req and returns the status and answer body.
func do(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// get sends a GET to u and returns the status and body.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.DefaultClient, req)
}

// near reports whether a and b are within tol of each other.
func near(a, b, tol time.Duration) bool { return a-b < tol && b-a < tol }
