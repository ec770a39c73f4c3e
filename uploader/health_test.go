package uploader

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// TestHealthValues: the values status.json shows never change, and only
// the states a person must fix block.
func TestHealthValues(t *testing.T) {
	tests := []struct {
		h        Health
		value    string
		blocking bool
	}{
		{HealthOK, "ok", false},
		{HealthAuth, "auth-error", true},
		{HealthNotFound, "not-found", true},
		{HealthOffline, "offline", false},
		{HealthSlowDown, "slow-down", false},
	}
	for _, tc := range tests {
		if string(tc.h) != tc.value || tc.h.Blocking() != tc.blocking {
			t.Errorf("%q: Blocking %v, want %q, %v", tc.h, tc.h.Blocking(), tc.value, tc.blocking)
		}
	}
}

// TestDetailNamesAPI: a health detail names the API a person must look
// at: from Options.APIBaseURL, or else from the failed request's URL.
func TestDetailNamesAPI(t *testing.T) {
	const base = "https://odailies.example/api/v1"
	tests := []struct {
		name, configured string
		err              error
		want             string
	}{
		{"5xx, configured", base, apiErr(http.StatusBadGateway, ""), "the oDailies API at " + base + " is failing"},
		{"404, configured", base, apiErr(http.StatusNotFound, ""), "the oDailies API at " + base + " does not know this project"},
		{"unreachable, from the request", "", signURLErr(base, "_graded/a.mov"), "the oDailies API at " + base + " cannot be reached (dial tcp"},
		{"unreachable, unnamed", "", &netErr{}, "the oDailies API cannot be reached (dial tcp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signer := &stubSigner{sign: func(context.Context, string, int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{}, tc.err
			}}
			e := newEnv(t, newStorage(t, nil), signer)
			e.enqueue(e.file("_graded/a.mov", pattern(10)))
			u, _ := e.run(Options{APIBaseURL: tc.configured, AuthRecheck: time.Hour, RetryMin: time.Hour, RetryMax: time.Hour})
			e.next("_graded/a.mov")
			if d := u.Snapshot().Detail; !strings.Contains(d, tc.want) {
				t.Errorf("detail %q, want %q", d, tc.want)
			}
		})
	}
}

// signURLErr is the error net/http gives for a sign request to base that
// could not connect, its token redacted as the client does.
func signURLErr(base, rel string) error {
	return &url.Error{Op: "Get", URL: base + "/upload/proj-1/tok…6789/" + rel, Err: &netErr{}}
}

func TestAPIBase(t *testing.T) {
	tests := []struct {
		name, rel, url, configured, want string
	}{
		{"configured wins", "_graded/a.mov", "https://x/upload/p/t/_graded/a.mov", "https://user:pw@api/v1?q=1", "https://api/v1?…"},
		{"base with a path", "_graded/a.mov", "https://api.example/api/v1/upload/p/t…1234/_graded/a.mov", "", "https://api.example/api/v1"},
		{"deep path", "_graded/day 1/a.mov", "http://127.0.0.1:8/v1/upload/p/…/_graded/day%201/a.mov", "", "http://127.0.0.1:8/v1"},
		{"path holding upload", "_graded/upload/a.mov", "https://h/api/upload/p/t/_graded/upload/a.mov", "", "https://h/api"},
		{"base at the root", "a.mov", "https://h/upload/p/t/a.mov", "", "https://h"},
		{"other shape", "a.mov", "https://h/somewhere/a.mov", "", "https://h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := &url.Error{Op: "Get", URL: tc.url, Err: errors.New("EOF")}
			if got := apiBase(tc.rel, err, tc.configured); got != tc.want {
				t.Errorf("apiBase = %q, want %q", got, tc.want)
			}
		})
	}
	if got := apiBase("a.mov", errors.New("no URL"), ""); got != "" {
		t.Errorf("apiBase without a URL = %q", got)
	}
}

// TestAuthDetailNamesTheTokenSource: a refused token's detail names where
// the token came from, so a person fixes the right file or variable.
func TestAuthDetailNamesTheTokenSource(t *testing.T) {
	for _, tc := range []struct{ source, want string }{
		{"", "the token from api.token"},
		{"api.token_file (/etc/odailies-uploader/token)", "the token from api.token_file (/etc/odailies-uploader/token)"},
	} {
		for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
			signer := &stubSigner{sign: func(context.Context, string, int64) (odailies.SignedURL, error) {
				return odailies.SignedURL{}, apiErr(status, "")
			}}
			e := newEnv(t, newStorage(t, nil), signer)
			e.enqueue(e.file("_graded/a.mov", pattern(10)))
			u, _ := e.run(Options{TokenSource: tc.source, AuthRecheck: time.Hour})
			e.next("_graded/a.mov")
			if d := u.Snapshot().Detail; !strings.Contains(d, tc.want) {
				t.Errorf("%d, source %q: detail %q, want %q", status, tc.source, d, tc.want)
			}
		}
	}
}
