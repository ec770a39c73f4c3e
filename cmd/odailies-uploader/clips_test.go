package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

var updateClipsGolden = flag.Bool("update", false, "rewrite the testdata golden files")

// Tokens of the fake API in these tests; configtest.Token has every flag.
const (
	readOnlyToken = "read-only-token-77aa01"
	noFlagsToken  = "no-flags-token-88bb02"
)

// startClipsAPI starts a fake API for project "proj" holding clips.
func startClipsAPI(t *testing.T, clips map[string]odailies.Clip) *odailiestest.Server {
	t.Helper()
	s, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "proj",
		Tokens: map[string]odailiestest.Perm{
			configtest.Token: odailiestest.Read | odailiestest.Write | odailiestest.Upload,
			readOnlyToken:    odailiestest.Read,
			noFlagsToken:     0,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetClips(clips)
	return s
}

// clipsConfig writes a config pointing at baseURL with the given project
// and token, and returns its path.
func clipsConfig(t *testing.T, baseURL, project, token string) string {
	t.Helper()
	body := configtest.Body(configtest.Root(t))
	body = strings.Replace(body, "http://127.0.0.1:1/api/v1", baseURL, 1)
	body = strings.Replace(body, `"proj"`, configtest.Quote(project), 1)
	body = strings.Replace(body, configtest.Quote(configtest.Token), configtest.Quote(token), 1)
	return configtest.Write(t, t.TempDir(), body)
}

// sampleClips is a project as the API returns it: numbers as json.Number,
// one clip with a key v1 does not list.
func sampleClips() map[string]odailies.Clip {
	return map[string]odailies.Clip{
		"A001C002_260422_R3CK": {"name": "A001C002_260422_R3CK", "scene": "22", "take": "2",
			"circled": true, "fps": json.Number("23.976"), "description": "hero take,\tsoft\nfocus"},
		"A001C001_260422_R3CK": {"name": "A001C001_260422_R3CK", "scene": "22", "take": "1",
			"circled": false, "fps": json.Number("23.976"), "duration": json.Number("42.5")},
		"B001C001_260422_R4BB": {"name": "B001C001_260422_R4BB", "scene": "22", "take": "1",
			"camera": "B", "reelname": "B001", "colorist": "Ana"},
	}
}

// checkClipsGolden compares got with testdata/clips/name, or rewrites it with
// -update.
func checkClipsGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "clips", name)
	if *updateClipsGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// checkNoToken fails if a token shows anywhere a person could see it.
func checkNoToken(t *testing.T, r cliResult, tokens ...string) {
	t.Helper()
	for _, tok := range append(tokens, configtest.Token) {
		if strings.Contains(r.all(), tok) {
			t.Errorf("output shows the token %q:\n%s", tok, r.all())
		}
	}
}

func TestClipsGetOutputs(t *testing.T) {
	s := startClipsAPI(t, sampleClips())
	cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
	tests := []struct {
		flag, golden string
	}{
		{"", "get-table.golden"},
		{"-json", "get-json.golden"},
		{"-csv", "get-csv.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			args := []string{"clips", "get", "-config", cfg}
			if tt.flag != "" {
				args = append(args, tt.flag)
			}
			r := runCLI(t, nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.all())
			}
			checkClipsGolden(t, tt.golden, r.stdout)
			checkNoToken(t, r)
		})
	}
	if n := s.Requests("clips-get"); n != len(tests) {
		t.Errorf("%d clips GETs, want %d", n, len(tests))
	}
}

// TestClipsGetReadsBack feeds `clips get -csv` and `-json` to
// `clips patch -f` and checks that the server ends up with the same clips.
func TestClipsGetReadsBack(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			s := startClipsAPI(t, sampleClipsNoExtra())
			cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
			r := runCLI(t, nil, "clips", "get", "-config", cfg, "-"+format)
			file := filepath.Join(t.TempDir(), "clips."+format)
			if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			s.SetClips(map[string]odailies.Clip{})
			r = runCLI(t, nil, "clips", "patch", "-config", cfg, "-f", file)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.all())
			}
			got, want := jsonText(t, s.Clips()), jsonText(t, sampleClipsNoExtra())
			if got != want {
				t.Errorf("after the round trip the server holds\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func sampleClipsNoExtra() map[string]odailies.Clip {
	c := sampleClips()
	delete(c["B001C001_260422_R4BB"], "colorist")
	return c
}

// jsonText is v as indented JSON, to compare values of mixed number types.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestClipsGetEmptyProject(t *testing.T) {
	s := startClipsAPI(t, nil)
	r := runCLI(t, nil, "clips", "get", "-config", clipsConfig(t, s.URL(), "proj", configtest.Token))
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "no clips") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, nothing, and a note that there are no clips", r.code, r.stdout, r.stderr)
	}
}

func TestClipsPatchFileInBatches(t *testing.T) {
	s := startClipsAPI(t, map[string]odailies.Clip{
		"A002C001_260424_R3CK": {"name": "A002C001_260424_R3CK", "rating": json.Number("4")},
	})
	cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
	r := runCLI(t, nil, "clips", "patch", "-config", cfg, "-batch", "5", "-f", filepath.Join("testdata", "clips", "day3.ale"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.all())
	}
	if r.stdout != "updated 12 clips in 3 requests\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "Source File") {
		t.Errorf("stderr %q does not warn about the skipped ALE columns", r.stderr)
	}
	if n := s.Requests("clips-patch"); n != 3 {
		t.Errorf("%d PATCH requests, want 3", n)
	}
	stored := s.Clips()
	checkClipsGolden(t, "patch-ale-stored.golden", jsonText(t, stored)+"\n")
	if stored["A002C001_260424_R3CK"]["rating"] != json.Number("4") {
		t.Errorf("a field the file did not carry changed: %v", stored["A002C001_260424_R3CK"])
	}
}

func TestClipsPatchArguments(t *testing.T) {
	s := startClipsAPI(t, sampleClips())
	cfg := clipsConfig(t, s.URL(), "proj", configtest.Token)
	r := runCLI(t, nil, "clips", "patch", "-config", cfg,
		"A001C001_260422_R3CK", "take=3", "circled=Yes", "rating=5", "date=2026-04-22")
	if r.code != 0 || r.stdout != "updated 1 clip in 1 request\n" {
		t.Fatalf("exit %d: %s", r.code, r.all())
	}
	want := sampleClips()["A001C001_260422_R3CK"]
	want["take"], want["circled"], want["rating"], want["date"] = "3", true, 5, "20260422"
	if got := s.Clips()["A001C001_260422_R3CK"]; jsonText(t, got) != jsonText(t, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

func TestClipsPatchStdin(t *testing.T) {
	s := startClipsAPI(t, nil)
	var stdout, stderr bytes.Buffer
	c := &cli{stdin: strings.NewReader(`[{"name":"X1","scene":"4"}]`), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }}
	err := c.main(t.Context(), []string{"clips", "patch", "-config", clipsConfig(t, s.URL(), "proj", configtest.Token), "-format", "json", "-f", "-"})
	if err != nil || s.Clips()["X1"]["scene"] != "4" {
		t.Errorf("err %v, stored %v; stderr %s", err, s.Clips(), stderr.String())
	}
}

// TestClipsPatchDryRun needs no config and no server: -config names a file
// that does not exist.
func TestClipsPatchDryRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-config.toml")
	r := runCLI(t, nil, "clips", "patch", "-config", missing, "-dry-run", "-batch", "1",
		"-f", filepath.Join("testdata", "clips", "two.csv"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.all())
	}
	checkClipsGolden(t, "dry-run.golden", r.stdout)
	if !strings.Contains(r.stderr, "would update 2 clips in 2 requests") {
		t.Errorf("stderr %q lacks the summary", r.stderr)
	}
}
