package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// twoShows is a several-shows config over roots a and b; extra goes at
// the end of the second table.
func twoShows(a, b, extra string) string {
	return "[api]\n" +
		"base_url = \"http://127.0.0.1:1/api/v1\"\n" +
		"token = \"default-token-0123456789\"\n" +
		"[upload]\n" +
		"workers = 3\n" +
		"\n[[watch]]\n" +
		"name = \"Show A\"\n" +
		"root = " + configtest.Quote(a) + "\n" +
		"project_id = \"proj-a\"\n" +
		"\n[[watch]]\n" +
		"name = \"Show B\"\n" +
		"root = " + configtest.Quote(b) + "\n" +
		"project_id = \"proj-b\"\n" +
		extra
}

// TestSingleFormIsOneShow: the [api] + [watch] form is one show, named
// after its root's folder, with [api]'s identity.
func TestSingleFormIsOneShow(t *testing.T) {
	root := configtest.Root(t)
	cfg, _ := load(t, configtest.Body(root), nil)
	if len(cfg.Shows) != 1 {
		t.Fatalf("%d shows, want 1", len(cfg.Shows))
	}
	s := cfg.Shows[0]
	if s.Name != filepath.Base(root) || s.API != cfg.API || s.Watch.Root != root || s.API.ProjectID != "proj" {
		t.Errorf("show %+v, want name %q and [api]'s project", s, filepath.Base(root))
	}
}

// TestSeveralShowsTakeDefaults: keys a show does not set come from [api]
// and [upload]; its own win.
func TestSeveralShowsTakeDefaults(t *testing.T) {
	a, b := configtest.Root(t), configtest.Root(t)
	cfg, _ := load(t, twoShows(a, b, "token = \"own-token-0123456789\"\nsettle = \"30s\"\npriority = [\"_graded\", \"_thumbnails\"]\n"), nil)
	if len(cfg.Shows) != 2 {
		t.Fatalf("%d shows, want 2", len(cfg.Shows))
	}
	sa, sb := cfg.Shows[0], cfg.Shows[1]
	if sa.Name != "Show A" || sa.Watch.Root != a || sa.API.ProjectID != "proj-a" || sa.API.Token != "default-token-0123456789" || sa.API.TokenSource != "api.token" {
		t.Errorf("show A = %+v", sa)
	}
	if sa.Watch.Settle.String() != "5s" || strings.Join(sa.Priority, ",") != "_thumbnails,_graded" {
		t.Errorf("show A settle %s priority %q: want the defaults", sa.Watch.Settle, sa.Priority)
	}
	if sb.API.Token != "own-token-0123456789" || sb.API.TokenSource != `watch[2].token (show "Show B")` || sb.Watch.Settle.String() != "30s" ||
		strings.Join(sb.Priority, ",") != "_graded,_thumbnails" {
		t.Errorf("show B = %+v", sb)
	}
	if cfg.Upload.Workers != 3 || cfg.API != sa.API {
		t.Errorf("workers %d, API %+v: want 3 and the first show's", cfg.Upload.Workers, cfg.API)
	}
}

// TestSeveralShowsRefused: each mistake names the table's key and line.
func TestSeveralShowsRefused(t *testing.T) {
	a, b := configtest.Root(t), configtest.Root(t)
	inner := filepath.Join(a, "_graded")
	noDefaultToken := func(s string) string { return strings.Replace(s, "token = \"default-token-0123456789\"\n", "", 1) }
	for _, tt := range []struct {
		name string
		body string
		want []string
	}{
		{"duplicate name", strings.Replace(twoShows(a, b, ""), `"Show B"`, `"Show A"`, 1),
			[]string{"line 13", `watch[2].name (show "Show A")`, "also the name of watch[1]"}},
		{"root inside another", twoShows(a, inner, ""),
			[]string{"line 14", `watch[2].root (show "Show B")`, "inside the root of show \"Show A\""}},
		{"root holding another", twoShows(inner, a, ""),
			[]string{"line 14", `watch[2].root (show "Show B")`, "holds the root of show \"Show A\""}},
		{"same root and project", strings.Replace(twoShows(a, a, ""), `"proj-b"`, `"proj-a"`, 1),
			[]string{"line 14", `watch[2].root (show "Show B")`, "one tree to one project is one show"}},
		{"no token source", noDefaultToken(twoShows(a, b, "")),
			[]string{`watch[1].token (show "Show A")`, "no token for this show", "token_file"}},
		{"no name", strings.Replace(twoShows(a, b, ""), "name = \"Show B\"\n", "", 1),
			[]string{"watch[2].name", "not set"}},
		{"both token keys", twoShows(a, b, "token = \"x-0123456789\"\ntoken_file = \"t\"\n"),
			[]string{`watch[2].token (show "Show B")`, "exactly one"}},
		{"bad settle", twoShows(a, b, "settle = \"5 sec\"\n"),
			[]string{"line 16", "watch.settle"}},
		{"unknown key in a show", twoShows(a, b, "sttle = \"5s\"\n"),
			[]string{"line 16", `"watch.sttle"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(configtest.Write(t, t.TempDir(), tt.body), func(string) string { return "" })
			if err == nil {
				t.Fatalf("loaded:\n%s", tt.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestSameRootTwoProjects: one tree to two projects is allowed.
func TestSameRootTwoProjects(t *testing.T) {
	a := configtest.Root(t)
	cfg, _ := load(t, twoShows(a, a, ""), nil)
	if len(cfg.Shows) != 2 {
		t.Fatalf("%d shows", len(cfg.Shows))
	}
}
