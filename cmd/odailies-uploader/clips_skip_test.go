package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// TestClipsPatchSkipInvalid sends an ALE with unreadable cells: without
// -skip-invalid nothing is sent; with it the cells are named once each on
// stderr, left out (the server keeps its values), and the rest is sent.
func TestClipsPatchSkipInvalid(t *testing.T) {
	file := filepath.Join("testdata", "clips", "alexa35-bad.ale")
	skipped := []string{
		"skipped: " + file + ": line 10, key shutter: open\n",
		"skipped: " + file + ": line 10, key tStop: 2.0 + 11/10\n",
		"skipped: " + file + ": line 10, key circled: maybe\n",
		"skipped: " + file + ": line 11, key focusdistance: Infinity\n",
	}
	const second = "A003C002_260422_R2EF"
	start := func(t *testing.T) (*odailiestest.Server, string) {
		s := startClipsAPI(t, map[string]odailies.Clip{
			second: {"name": second, "tStop": json.Number("4"), "circled": true, "shutter": json.Number("90")},
		})
		return s, clipsConfig(t, s.URL(), "proj", configtest.Token)
	}

	t.Run("default refuses the file", func(t *testing.T) {
		s, cfg := start(t)
		r := runCLI(t, nil, "clips", "patch", "-config", cfg, "-f", file)
		if r.code != 2 || !strings.Contains(r.all(), "nothing was sent") || !strings.Contains(r.all(), `line 10, key "tStop"`) {
			t.Errorf("exit %d, output:\n%s\nwant 2, the bad cells and nothing sent", r.code, r.all())
		}
		if n := s.Requests("clips-patch"); n != 0 {
			t.Errorf("%d PATCHes, want none", n)
		}
	})

	t.Run("skip-invalid sends the rest", func(t *testing.T) {
		s, cfg := start(t)
		r := runCLI(t, nil, "clips", "patch", "-config", cfg, "-skip-invalid", "-f", file)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.all())
		}
		if want := "updated 3 clips in 1 request; skipped 4 cells that could not be read\n"; r.stdout != want {
			t.Errorf("stdout %q, want %q", r.stdout, want)
		}
		for _, line := range skipped {
			if n := strings.Count(r.stderr, line); n != 1 {
				t.Errorf("stderr names %q %d times, want once:\n%s", line, n, r.stderr)
			}
		}
		stored := s.Clips()
		got := stored[second]
		if got["tStop"] != json.Number("4") || got["circled"] != true || got["shutter"] != json.Number("90") {
			t.Errorf("skipped cells changed the server's values: %v", got)
		}
		if got["description"] != "three bad cells" || got["focusdistance"] != json.Number("2.5") {
			t.Errorf("the readable cells of the row were not sent: %v", got)
		}
		if first := stored["A003C001_260422_R2EF"]; first["tStop"] != json.Number("2") {
			t.Errorf("a good row was not sent whole: %v", first)
		}
	})

	t.Run("dry run counts the skipped cells", func(t *testing.T) {
		r := runCLI(t, nil, "clips", "patch", "-dry-run", "-skip-invalid", "-f", file)
		if r.code != 0 || !strings.Contains(r.stderr, "would update 3 clips in 1 request; skipped 4 cells that could not be read; nothing was sent") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if strings.Contains(r.stdout, `"tStop": 2.0`) || strings.Count(r.stdout, `"tStop"`) != 2 {
			t.Errorf("the body carries a skipped tStop:\n%s", r.stdout)
		}
	})

	t.Run("nothing left to send", func(t *testing.T) {
		s, cfg := start(t)
		r := runCLI(t, nil, "clips", "patch", "-config", cfg, "-skip-invalid", "-f", filepath.Join("testdata", "clips", "allbad.ale"))
		if r.code != 2 || !strings.Contains(r.all(), "nothing to send; skipped 2 cells") {
			t.Errorf("exit %d, output:\n%s\nwant 2 and nothing to send", r.code, r.all())
		}
		if n := s.Requests("clips-patch"); n != 0 {
			t.Errorf("%d PATCHes, want none", n)
		}
	})
}
