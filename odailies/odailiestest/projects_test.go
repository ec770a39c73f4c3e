package odailiestest_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// putOK sends body to a signed URL and fails the test unless it is stored.
func putOK(t *testing.T, url string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s", resp.Status)
	}
}

// TestSecondProject: a project of Options.Projects signs with its own
// token only, and its files are kept apart from the main project's even
// under the same path.
func TestSecondProject(t *testing.T) {
	const proj2, tok2 = "proj-2", "second-token-0123456789"
	s := start(t, func(o *odailiestest.Options) {
		o.Projects = map[string]map[string]odailiestest.Perm{proj2: {tok2: odailiestest.Upload}}
	})
	for _, tt := range []struct {
		proj, tok string
		status    int
	}{
		{proj2, upTok, http.StatusUnauthorized}, // the main project's token
		{project, tok2, http.StatusUnauthorized},
		{"proj-3", tok2, http.StatusNotFound},
	} {
		_, err := client(t, s, tt.proj, tt.tok).SignUpload(t.Context(), "_graded/a.mov")
		if odailies.StatusCode(err) != tt.status {
			t.Errorf("%s with %s: %v, want %d", tt.proj, tt.tok, err, tt.status)
		}
	}
	for _, c := range []struct {
		proj, tok, body string
	}{{project, upTok, "main"}, {proj2, tok2, "second"}} {
		su, err := client(t, s, c.proj, c.tok).SignUpload(t.Context(), "_graded/a.mov")
		if err != nil {
			t.Fatalf("%s: %v", c.proj, err)
		}
		putOK(t, su.URL, []byte(c.body))
	}
	if b, ok := s.ReceivedIn(project, "_graded/a.mov"); !ok || string(b) != "main" {
		t.Errorf("main project has %q, %v", b, ok)
	}
	if b, ok := s.ReceivedIn(proj2, "_graded/a.mov"); !ok || string(b) != "second" {
		t.Errorf("second project has %q, %v", b, ok)
	}
	if b, ok := s.Received("_graded/a.mov"); !ok || string(b) != "main" {
		t.Errorf("Received is the main project's: %q, %v", b, ok)
	}
}

// TestRevoke: a revoked token is 401 from then on; other tokens work.
func TestRevoke(t *testing.T) {
	s := start(t, nil)
	if _, err := client(t, s, project, upTok).SignUpload(t.Context(), "_graded/a.mov"); err != nil {
		t.Fatal(err)
	}
	s.Revoke(upTok)
	_, err := client(t, s, project, upTok).SignUpload(t.Context(), "_graded/a.mov")
	if odailies.StatusCode(err) != http.StatusUnauthorized {
		t.Errorf("after Revoke: %v, want 401", err)
	}
	if _, err := client(t, s, project, rwTok).Clips(t.Context()); err != nil {
		t.Errorf("another token after Revoke: %v", err)
	}
}
