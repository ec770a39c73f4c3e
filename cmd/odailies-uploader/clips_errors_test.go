package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestClipsRefusedByTheAPI(t *testing.T) {
	const unknownToken = "nobody-knows-this-token-99"
	tests := []struct {
		name, sub, project, token string
		want                      string
	}{
		{"get without Read", "get", "proj", noFlagsToken,
			"the token in the config lacks the Read permission needed to read clip metadata"},
		{"patch without Write", "patch", "proj", readOnlyToken,
			"the token in the config lacks the Write permission needed to change clip metadata"},
		{"get with an unknown token", "get", "proj", unknownToken, "the API does not accept the token in the config"},
		{"patch with an unknown token", "patch", "proj", unknownToken, "the API does not accept the token in the config"},
		{"get from an unknown project", "get", "other", configtest.Token, `the API does not know project_id "other"`},
		{"patch an unknown project", "patch", "other", configtest.Token, `the API does not know project_id "other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startClipsAPI(t, sampleClips())
			before := jsonText(t, s.Clips())
			args := []string{"clips", tt.sub, "-config", clipsConfig(t, s.URL(), tt.project, tt.token)}
			if tt.sub == "patch" {
				args = append(args, "A001C001_260422_R3CK", "take=9")
			}
			r := runCLI(t, nil, args...)
			if r.code != 2 || !strings.Contains(r.all(), tt.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 2 and %q", r.code, r.all(), tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			checkNoToken(t, r, tt.token)
			if after := jsonText(t, s.Clips()); after != before {
				t.Errorf("a refused call changed the clips:\n%s", after)
			}
		})
	}
}

// failingAPI answers clips calls: the first okPatches PATCHes succeed,
// everything else is a 500 whose body echoes the request path (and so the
// token), which must not reach the output.
func failingAPI(t *testing.T, okPatches int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var patches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && patches.Add(1) <= okPatches {
			fmt.Fprint(w, `{"data":{"updated":1}}`)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"error":"database unavailable at %s"}`, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv, &patches
}

func TestClipsServerError(t *testing.T) {
	tests := []struct {
		name      string
		okPatches int64
		args      []string
		want      []string
		patches   int64
	}{
		{"get", 0, []string{"get"}, []string{"get clips: 500", "database unavailable"}, 0},
		{"patch", 0, []string{"patch", "A1", "scene=2"}, []string{"patch clips: 500"}, 1},
		{"patch fails half way", 1, []string{"patch", "-batch", "1", "-f", filepath.Join("testdata", "clips", "two.csv")},
			[]string{"updated 1 of 2 clips (1 of 2 requests) before a request failed", "patch clips: 500"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, patches := failingAPI(t, tt.okPatches)
			cfg := clipsConfig(t, srv.URL+"/api/v1", "proj", configtest.Token)
			r := runCLI(t, nil, append([]string{"clips", tt.args[0], "-config", cfg}, tt.args[1:]...)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.all(), w) {
					t.Errorf("output lacks %q:\n%s", w, r.all())
				}
			}
			if n := patches.Load(); n != tt.patches {
				t.Errorf("%d PATCHes, want %d", n, tt.patches)
			}
			checkNoToken(t, r)
		})
	}
}

func TestClipsUsageErrors(t *testing.T) {
	two := filepath.Join("testdata", "clips", "two.csv")
	unknown := filepath.Join("testdata", "clips", "unknown.csv")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"clips"}, "clips needs a subcommand"},
		{[]string{"clips", "frob"}, `unknown clips subcommand "frob"`},
		{[]string{"clips", "get", "-json", "-csv"}, "cannot be used together"},
		{[]string{"clips", "get", "extra"}, "takes no arguments"},
		{[]string{"clips", "patch"}, "nothing to change"},
		{[]string{"clips", "patch", "-f", two, "A1", "scene=1"}, "not both"},
		{[]string{"clips", "patch", "-f", unknown}, `line 1, key "director": not a v1 clip key`},
		{[]string{"clips", "patch", "-f", unknown}, "-allow-unknown sends other keys"},
		{[]string{"clips", "patch", "-f", "clips.txt"}, "cannot tell the format"},
		{[]string{"clips", "patch", "-format", "xml", "-f", two}, `unknown clip file format "xml"`},
		{[]string{"clips", "patch", "-f", "-"}, "stdin needs -format"},
		{[]string{"clips", "patch", "-f", filepath.Join("testdata", "clips", "missing.csv")}, "no such file"},
		{[]string{"clips", "patch", "-format", "csv", "A1", "scene=1"}, "-format only applies to -f"},
		{[]string{"clips", "patch", "A1", "fps=fast"}, `key "fps": "fast" is not a number`},
		{[]string{"clips", "patch", "A1", "scene=1", "-dry-run"}, "flags go before NAME"},
		{[]string{"clips", "patch", "-batch", "0", "A1", "scene=1"}, "-batch must be between 1 and 1000"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			s := startClipsAPI(t, nil)
			cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
			args := append([]string{tt.args[0]}, tt.args[1:]...)
			if len(args) > 1 {
				args = append([]string{args[0], args[1], "-config", cfg}, args[2:]...)
			}
			r := runCLI(t, nil, args...)
			if r.code != 2 || !strings.Contains(r.all(), tt.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 2 and %q", r.code, r.all(), tt.want)
			}
			if n := s.Requests("clips-patch") + s.Requests("clips-get"); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestClipsPatchAllowUnknown(t *testing.T) {
	s := startClipsAPI(t, nil)
	cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
	r := runCLI(t, nil, "clips", "patch", "-config", cfg, "-allow-unknown", "-f", filepath.Join("testdata", "clips", "unknown.csv"))
	if r.code != 0 || s.Clips()["A001C001"]["director"] != "Ann" {
		t.Errorf("exit %d, stored %v: %s", r.code, s.Clips(), r.all())
	}
}
