package odailies

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestClips(t *testing.T) {
	c, hits := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		want := "/api/v1/clips/proj%201/" + escapeSegment(testToken)
		if r.Method != http.MethodGet || r.RequestURI != want {
			t.Errorf("request %s %s, want GET %s", r.Method, r.RequestURI, want)
		}
		fmt.Fprint(w, `{"data":{"message":{"A001C001":{"name":"A001C001","scene":"22","circled":true,"fps":23.976,"filesize":12345678901234,"extra":"kept"}}}}`)
	})
	clips, err := c.Clips(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clip, ok := clips["A001C001"]
	if !ok || len(clips) != 1 {
		t.Fatalf("Clips = %v", clips)
	}
	if clip["fps"] != json.Number("23.976") || clip["filesize"] != json.Number("12345678901234") {
		t.Errorf("numbers: fps %#v, filesize %#v", clip["fps"], clip["filesize"])
	}
	if clip["circled"] != true || clip["scene"] != "22" || clip["extra"] != "kept" {
		t.Errorf("clip = %v", clip)
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests, want 1", hits.Load())
	}
}

func TestClipsShapes(t *testing.T) {
	tests := []struct {
		name, body string
		n          int    // clips expected when mention is ""
		mention    string // in the protocol error
	}{
		{"empty object", `{"data":{"message":{}}}`, 0, ""},
		{"empty array", `{"data":{"message":[]}}`, 0, ""},
		{"null message", `{"data":{"message":null}}`, 0, ""},
		{"two clips", `{"data":{"message":{"a":{"name":"a"},"b":{}}}}`, 2, ""},
		{"no data", `{"message":{}}`, 0, `"data.message" is missing`},
		{"no message", `{"data":{}}`, 0, `"data.message" is missing`},
		{"message is a list of clips", `{"data":{"message":[{"name":"a"}]}}`, 0, `"data.message" is not an object`},
		{"clip not an object", `{"data":{"message":{"a":7}}}`, 0, `clip "a" is not an object`},
		{"null clip", `{"data":{"message":{"a":null}}}`, 0, `clip "a" is not an object`},
		{"v2 shape", `{"data":[{"name":"a"}]}`, 0, "not the v1 clips shape"},
		{"html", `<html>oops</html>`, 0, "not the v1 clips shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			clips, err := c.Clips(t.Context())
			if tt.mention == "" {
				if err != nil || len(clips) != tt.n || clips == nil {
					t.Errorf("Clips = %v, %v; want %d clips", clips, err, tt.n)
				}
				return
			}
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %v, want a protocol error saying %q", err, tt.mention)
			}
		})
	}
}

func TestClipsStatus(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "token lacks Read", http.StatusForbidden)
	})
	_, err := c.Clips(t.Context())
	if !IsAuth(err) || !strings.HasPrefix(err.Error(), "get clips: 403") {
		t.Errorf("error %v, want 403 from get clips", err)
	}
}

func TestPatchClips(t *testing.T) {
	c, hits := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		want := `{"data":[{"name":"A001C001","scene":"22"},{"circled":true,"name":"A001C002"}]}`
		if string(b) != want {
			t.Errorf("body %s, want %s", b, want)
		}
		fmt.Fprint(w, `{"data":{"updated":2}}`)
	})
	ans, err := c.PatchClips(t.Context(), []Clip{{"name": "A001C001", "scene": "22"}, {"name": "A001C002", "circled": true}})
	if err != nil {
		t.Fatal(err)
	}
	if string(ans) != `{"data":{"updated":2}}` || hits.Load() != 1 {
		t.Errorf("answer %s after %d requests", ans, hits.Load())
	}
}

func TestPatchClipsAnswers(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       string // answer, or "error" for an error
	}{
		{"json", `{"ok":true}`, 200, `{"ok":true}`},
		{"no content", ``, 204, ``},
		{"not json", `done`, 200, "error"},
		{"refused", `name missing`, 400, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			ans, err := c.PatchClips(t.Context(), []Clip{{"name": "a"}})
			if (err != nil) != (tt.want == "error") || (err == nil && string(ans) != tt.want) {
				t.Errorf("PatchClips = %s, %v; want %s", ans, err, tt.want)
			}
		})
	}
}

func TestPatchClipsNeedsNames(t *testing.T) {
	tests := [][]Clip{
		{{"scene": "1"}},
		{{"name": "a"}, {"name": ""}},
		{{"name": 7}},
	}
	for _, clips := range tests {
		c, hits := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {})
		if _, err := c.PatchClips(t.Context(), clips); err == nil || !strings.Contains(err.Error(), "has no name") {
			t.Errorf("PatchClips(%v) error = %v", clips, err)
		}
		if hits.Load() != 0 {
			t.Errorf("PatchClips(%v) sent a request", clips)
		}
	}
}
