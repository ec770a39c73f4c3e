package odailiestest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

func TestStartRefuses(t *testing.T) {
	tests := []struct{ name, addr, project string }{
		{"all interfaces", ":0", project},
		{"any address", "0.0.0.0:0", project},
		{"remote address", "192.0.2.1:0", project},
		{"no port", "127.0.0.1", project},
		{"no project", "127.0.0.1:0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := odailiestest.Start(tt.addr, odailiestest.Options{ProjectID: tt.project, Dir: t.TempDir()})
			if err == nil {
				s.Close()
				t.Fatalf("Start(%q) succeeded", tt.addr)
			}
		})
	}
}

func TestStartLocalhostAndTempDir(t *testing.T) {
	s, err := odailiestest.Start("localhost:0", odailiestest.Options{ProjectID: project})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("storage folder: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the temporary storage folder: %v", err)
	}
}

// calls runs each API call with one token and returns its errors.
func calls(t *testing.T, c *odailies.Client) map[string]error {
	_, sign := c.SignUpload(t.Context(), "_graded/a.mov")
	_, get := c.Clips(t.Context())
	_, patch := c.PatchClips(t.Context(), []odailies.Clip{{"name": "a"}})
	return map[string]error{"sign": sign, "clips-get": get, "clips-patch": patch}
}

func TestTokenFlags(t *testing.T) {
	s := start(t, nil)
	tests := []struct {
		proj, tok string
		want      map[string]int // status per call; 0 is success
	}{
		{project, upTok, map[string]int{"sign": 0, "clips-get": 403, "clips-patch": 403}},
		{project, readTok, map[string]int{"sign": 403, "clips-get": 0, "clips-patch": 403}},
		{project, rwTok, map[string]int{"sign": 403, "clips-get": 0, "clips-patch": 0}},
		{project, noneTok, map[string]int{"sign": 403, "clips-get": 403, "clips-patch": 403}},
		{project, wrongTok, map[string]int{"sign": 401, "clips-get": 401, "clips-patch": 401}},
		{"other-project", upTok, map[string]int{"sign": 404, "clips-get": 404, "clips-patch": 404}},
	}
	for _, tt := range tests {
		for call, err := range calls(t, client(t, s, tt.proj, tt.tok)) {
			if got := odailies.StatusCode(err); got != tt.want[call] || (got == 0) != (err == nil) {
				t.Errorf("%s with %s in %s: %v, want status %d", call, tt.tok, tt.proj, err, tt.want[call])
			}
		}
	}
	for _, k := range []string{"sign", "clips-get", "clips-patch"} {
		if n := s.Requests(k); n != len(tests) {
			t.Errorf("Requests(%q) = %d, want %d", k, n, len(tests))
		}
	}
}

func TestRoutes(t *testing.T) {
	s := start(t, nil)
	base := s.URL()
	tests := []struct {
		name, url string
		status    int
	}{
		{"jobs", base + "/jobs/" + project + "/" + rwTok, 404},
		{"unknown route", base + "/things/" + project + "/" + rwTok, 404},
		{"too short", base + "/clips/" + project, 404},
		{"upload without path", base + "/upload/" + project + "/" + upTok, 404},
		{"v2", strings.Replace(base, "/v1", "/v2", 1) + "/clips/" + project + "/" + rwTok, 404},
		{"dot-dot", base + "/upload/" + project + "/" + upTok + "/_graded/../a.mov", 400},
		{"dot", base + "/upload/" + project + "/" + upTok + "/_graded/./a.mov", 400},
		{"empty segment", base + "/upload/" + project + "/" + upTok + "/_graded//a.mov", 400},
		{"escaped slash", base + "/upload/" + project + "/" + upTok + "/_graded%2Fa.mov", 400},
		{"sign ok", base + "/upload/" + project + "/" + upTok + "/_graded/a.mov", 200},
	}
	for _, tt := range tests {
		if status, body := get(t, tt.url); status != tt.status {
			t.Errorf("%s: GET answered %d %s, want %d", tt.name, status, body, tt.status)
		}
	}
	if p := s.SignedPaths(); len(p) != 1 || p[0] != "_graded/a.mov" {
		t.Errorf("SignedPaths = %q", p)
	}
}

func TestWrappedAnswer(t *testing.T) {
	s := start(t, nil)
	u := s.URL() + "/upload/" + project + "/" + upTok + "/_graded/a.mov"
	for _, wrapped := range []bool{false, true} {
		s.SetWrapped(wrapped)
		_, body := get(t, u)
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["data"]; ok != wrapped {
			t.Errorf("SetWrapped(%v): answer %s", wrapped, body)
		}
	}
}

func TestFailSign(t *testing.T) {
	s := start(t, nil)
	c := client(t, s, project, upTok)
	s.FailSign(2, http.StatusServiceUnavailable, 2500*time.Millisecond)
	for i := range 2 {
		_, err := c.SignUpload(t.Context(), "_graded/a.mov")
		if d, ok := odailies.RetryAfter(err); !odailies.IsSlowDown(err) || !ok || d != 3*time.Second {
			t.Errorf("sign %d: %v (Retry-After %v), want 503 with Retry-After 3s", i, err, d)
		}
	}
	s.FailSign(1, http.StatusInternalServerError, 0)
	if _, err := c.SignUpload(t.Context(), "_graded/a.mov"); odailies.StatusCode(err) != 500 || odailies.IsSlowDown(err) {
		t.Errorf("sign: %v, want a plain 500", err)
	}
	if _, err := c.SignUpload(t.Context(), "_graded/a.mov"); err != nil {
		t.Errorf("sign after the faults: %v", err)
	}
	if s.Requests("sign") != 4 || len(s.SignedPaths()) != 1 {
		t.Errorf("sign requests %d, signed %q", s.Requests("sign"), s.SignedPaths())
	}
}

func TestLatency(t *testing.T) {
	s := start(t, nil)
	c := client(t, s, project, upTok)
	s.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.SignUpload(ctx, "_graded/a.mov"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("sign under an hour of latency: %v", err)
	}
	s.SetLatency(0)
	if _, err := c.SignUpload(t.Context(), "_graded/a.mov"); err != nil {
		t.Errorf("sign without latency: %v", err)
	}
}

func TestClockSkewAndLifetime(t *testing.T) {
	s := start(t, nil)
	s.SetClockSkew(2 * time.Hour)
	s.SetURLLifetime(90 * time.Second)
	su := sign(t, s, "_graded/a.mov")
	if !near(su.Skew, 2*time.Hour, 2*time.Second) {
		t.Errorf("Skew = %v, want about 2h", su.Skew)
	}
	if r := su.Remaining(time.Now()); !near(r, 90*time.Second, 3*time.Second) {
		t.Errorf("Remaining = %v, want about 90s", r)
	}
	if d := time.Until(su.ExpiresAt); !near(d, 2*time.Hour+90*time.Second, 3*time.Second) {
		t.Errorf("ExpiresAt is %v away, want about 2h1m30s", d)
	}
	s.SetURLLifetime(0)
	if r := sign(t, s, "_graded/a.mov").Remaining(time.Now()); !near(r, 15*time.Minute, 3*time.Second) {
		t.Errorf("default Remaining = %v, want about 15m", r)
	}
}

func TestPresign(t *testing.T) {
	var gotRel string
	var gotLife time.Duration
	s := start(t, func(o *odailiestest.Options) {
		o.URLLifetime = 5 * time.Minute
		o.Presign = func(rel string, life time.Duration) (string, error) {
			gotRel, gotLife = rel, life
			if strings.HasPrefix(rel, "_fail/") {
				return "", errors.New("s3 down")
			}
			return "http://127.0.0.1:9/bucket/" + rel + "?X-Amz-Signature=abc", nil
		}
	})
	su := sign(t, s, "_graded/a b.mov")
	if su.URL != "http://127.0.0.1:9/bucket/_graded/a b.mov?X-Amz-Signature=abc" || gotRel != "_graded/a b.mov" || gotLife != 5*time.Minute {
		t.Errorf("URL %q from Presign(%q, %v)", su.URL, gotRel, gotLife)
	}
	_, err := client(t, s, project, upTok).SignUpload(t.Context(), "_fail/a.mov")
	if odailies.StatusCode(err) != 500 {
		t.Errorf("sign with a failing Presign: %v", err)
	}
}

func TestClipsGetPatch(t *testing.T) {
	s := start(t, nil)
	s.SetClips(map[string]odailies.Clip{"A001": {"name": "A001", "scene": "1", "fps": json.Number("25")}})
	c := client(t, s, project, rwTok)
	got, err := c.Clips(t.Context())
	if err != nil || !reflect.DeepEqual(got, s.Clips()) {
		t.Fatalf("Clips = %v, %v; store %v", got, err, s.Clips())
	}
	ans, err := c.PatchClips(t.Context(), []odailies.Clip{{"name": "A001", "take": "3"}, {"name": "A002", "circled": true}})
	if err != nil || string(ans) != `{"data":{"updated":2}}` {
		t.Fatalf("PatchClips = %s, %v", ans, err)
	}
	want := map[string]odailies.Clip{
		"A001": {"name": "A001", "scene": "1", "fps": json.Number("25"), "take": "3"},
		"A002": {"name": "A002", "circled": true},
	}
	if got := s.Clips(); !reflect.DeepEqual(got, want) {
		t.Errorf("store after PATCH = %v, want %v", got, want)
	}
	if s.Requests("clips-get") != 1 || s.Requests("clips-patch") != 1 {
		t.Errorf("requests: get %d, patch %d", s.Requests("clips-get"), s.Requests("clips-patch"))
	}
}

func TestClipsPatchRefused(t *testing.T) {
	s := start(t, nil)
	s.SetClips(map[string]odailies.Clip{"A001": {"name": "A001"}})
	for _, body := range []string{`{"data":[{"name":"A001","take":"9"},{"take":"1"}]}`, `{"data":[{"name":""}]}`, `{}`, `[]`, `nope`} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPatch, s.URL()+"/clips/"+project+"/"+rwTok, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if status, msg := do(t, http.DefaultClient, req); status != http.StatusBadRequest {
			t.Errorf("PATCH %s answered %d %s", body, status, msg)
		}
	}
	if got := s.Clips(); !reflect.DeepEqual(got, map[string]odailies.Clip{"A001": {"name": "A001"}}) {
		t.Errorf("refused PATCHes changed the store: %v", got)
	}
}

func TestClipsAreCopies(t *testing.T) {
	s := start(t, nil)
	in := map[string]odailies.Clip{"A001": {"name": "A001"}}
	s.SetClips(in)
	in["A001"]["scene"] = "changed"
	out := s.Clips()
	out["A001"]["take"] = "changed"
	if got := s.Clips(); len(got["A001"]) != 1 {
		t.Errorf("the store shares maps with its callers: %v", got)
	}
}
