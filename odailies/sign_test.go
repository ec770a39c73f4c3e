package odailies

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

func TestSignUploadRequest(t *testing.T) {
	c, hits := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		want := "/api/v1/upload/proj%201/" + escapeSegment(testToken) + "/_graded/caf%C3%A9%20%231.mov"
		if r.Method != http.MethodGet || r.RequestURI != want {
			t.Errorf("request %s %s, want GET %s", r.Method, r.RequestURI, want)
		}
		if ua := r.Header.Get("User-Agent"); ua != "odailies-test/1" {
			t.Errorf("User-Agent %q", ua)
		}
		fmt.Fprint(w, `{"url":"https://s3.example/b/k?sig=1","expiresAt":"2026-04-22T10:15:00Z"}`)
	})
	s, err := c.SignUpload(t.Context(), `_graded\cafe`+"\u0301 #1.mov")
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "https://s3.example/b/k?sig=1" || !s.ExpiresAt.Equal(time.Date(2026, 4, 22, 10, 15, 0, 0, time.UTC)) {
		t.Errorf("SignUpload = %+v", s)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestSignUploadBadPathSendsNothing(t *testing.T) {
	c, hits := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {})
	_, err := c.SignUpload(t.Context(), "_graded/../etc/passwd")
	if !errors.Is(err, ErrBadPath) {
		t.Errorf("error %v does not wrap ErrBadPath", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests for a refused path", n)
	}
}

func TestSignUploadAnswers(t *testing.T) {
	exp := time.Date(2026, 4, 22, 10, 15, 0, 0, time.UTC)
	good := []struct{ name, body string }{
		{"bare", `{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00Z"}`},
		{"wrapped", `{"data":{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00Z"}}`},
		{"unknown fields", `{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00Z","method":"PUT","headers":{}}`},
		{"wrapped unknown fields", `{"status":"ok","data":{"id":7,"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00Z"}}`},
		{"fractional seconds", `{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00.000Z"}`},
		{"offset", `{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T12:15:00+02:00"}`},
		{"no zone is UTC", `{"url":"https://s3.example/k?s=1","expiresAt":"2026-04-22T10:15:00"}`},
		{"http storage", `{"url":"http://127.0.0.1:9000/k?s=1","expiresAt":"2026-04-22T10:15:00Z"}`},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			s, err := c.SignUpload(t.Context(), "_graded/a.mov")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(s.URL, "/k?s=1") || !s.ExpiresAt.Equal(exp) || s.ExpiresAt.Location() != time.UTC {
				t.Errorf("SignUpload = %+v", s)
			}
		})
	}
}

func TestSignUploadProtocolErrors(t *testing.T) {
	const e = `"expiresAt":"2026-04-22T10:15:00Z"`
	tests := []struct{ name, body, mention string }{
		{"missing url", `{` + e + `}`, `"url" is missing`},
		{"null url", `{"url":null,` + e + `}`, `"url" is missing`},
		{"number url", `{"url":7,` + e + `}`, `"url" is not a string`},
		{"empty url", `{"url":"",` + e + `}`, `"url" is empty`},
		{"relative url", `{"url":"/k?s=1",` + e + `}`, `"url" is not an absolute`},
		{"ftp url", `{"url":"ftp://h/k?s=secret",` + e + `}`, `"url" is not an absolute`},
		{"missing expiresAt", `{"url":"https://h/k"}`, `"expiresAt" is missing`},
		{"bad expiresAt", `{"url":"https://h/k","expiresAt":"tomorrow"}`, `"expiresAt" is not an ISO 8601`},
		{"number expiresAt", `{"url":"https://h/k","expiresAt":1745316900}`, `"expiresAt" is not a string`},
		{"wrapped missing url", `{"data":{` + e + `}}`, `"url" is missing`},
		{"data not an object", `{"data":"x"}`, `"data" is not an object`},
		{"empty object", `{}`, `"url" is missing`},
		{"html", `<html><body>502 Bad Gateway</body></html>`, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"empty body", ``, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			_, err := c.SignUpload(t.Context(), "_graded/a.mov")
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.HasPrefix(err.Error(), "sign _graded/a.mov: ") {
				t.Errorf("error %q does not say %q", err, tt.mention)
			}
			if strings.Contains(err.Error(), "s=secret") {
				t.Errorf("error %q shows a signed query", err)
			}
			if StatusCode(err) != 0 || !IsTransient(err) {
				t.Errorf("protocol error %v: status %d, transient %v", err, StatusCode(err), IsTransient(err))
			}
		})
	}
}

func TestSignUploadStatuses(t *testing.T) {
	now := time.Date(2026, 4, 22, 10, 0, 0, 0, time.UTC)
	type want struct{ auth, notFound, slow, transient bool }
	tests := []struct {
		status     int
		retryAfter string
		want       want
		wait       time.Duration
	}{
		{401, "", want{auth: true}, 0},
		{403, "", want{auth: true}, 0},
		{404, "", want{notFound: true}, 0},
		{400, "", want{}, 0},
		{413, "", want{}, 0},
		{408, "", want{transient: true}, 0},
		{429, "", want{slow: true, transient: true}, 0},
		{429, "7", want{slow: true, transient: true}, 7 * time.Second},
		{503, "", want{transient: true}, 0},
		{503, "120", want{slow: true, transient: true}, 2 * time.Minute},
		{503, now.Add(90 * time.Second).Format(http.TimeFormat), want{slow: true, transient: true}, 90 * time.Second},
		{503, "soon", want{transient: true}, 0},
		{500, "", want{transient: true}, 0},
		{502, "", want{transient: true}, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.retryAfter), func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				fmt.Fprintf(w, "no luck for %s on %s", testToken, r.URL.EscapedPath())
			})
			c.now = func() time.Time { return now }
			_, err := c.SignUpload(t.Context(), "_graded/a.mov")
			got := want{IsAuth(err), IsNotFound(err), IsSlowDown(err), IsTransient(err)}
			if got != tt.want || StatusCode(err) != tt.status {
				t.Errorf("error %v: status %d, predicates %+v, want %+v", err, StatusCode(err), got, tt.want)
			}
			if d, ok := RetryAfter(err); d != tt.wait || ok != (tt.wait > 0) {
				t.Errorf("RetryAfter = %v, %v, want %v", d, ok, tt.wait)
			}
			if !strings.Contains(err.Error(), "no luck for "+redact.Token(testToken)) {
				t.Errorf("error %q lacks the body excerpt", err)
			}
			assertNoToken(t, err.Error())
		})
	}
}

func TestSignUploadLongBodyEchoingToken(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		// The token straddles the 4096-byte excerpt window.
		fmt.Fprint(w, strings.Repeat(" ", 4090)+testToken)
	})
	_, err := c.SignUpload(t.Context(), "_graded/a.mov")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testToken[:6]) {
		t.Errorf("error %q shows the start of the token", err)
	}
}

func TestSignUploadSkew(t *testing.T) {
	server := time.Date(2026, 4, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		date  string
		local time.Time
		want  time.Duration
	}{
		{"server ahead", server.Format(http.TimeFormat), server.Add(-90 * time.Second), 90 * time.Second},
		{"server behind", server.Format(http.TimeFormat), server.Add(2 * time.Minute), -2 * time.Minute},
		{"within resolution", server.Format(http.TimeFormat), server.Add(400 * time.Millisecond), 0},
		{"no header", "", server.Add(time.Hour), 0},
		{"bad header", "yesterday", server.Add(time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.date == "" {
					w.Header()["Date"] = nil // suppress the server's own
				} else {
					w.Header().Set("Date", tt.date)
				}
				fmt.Fprint(w, `{"url":"https://h/k","expiresAt":"2026-04-22T10:15:00Z"}`)
			})
			c.now = func() time.Time { return tt.local }
			s, err := c.SignUpload(t.Context(), "_graded/a.mov")
			if err != nil {
				t.Fatal(err)
			}
			if s.Skew != tt.want {
				t.Errorf("Skew = %v, want %v", s.Skew, tt.want)
			}
		})
	}
}

func TestSignedURLRemaining(t *testing.T) {
	exp := time.Date(2026, 4, 22, 10, 15, 0, 0, time.UTC)
	s := SignedURL{ExpiresAt: exp, Skew: 5 * time.Minute}
	if got := s.Remaining(exp.Add(-15 * time.Minute)); got != 10*time.Minute {
		t.Errorf("Remaining = %v, want 10m", got)
	}
}
