package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/why"
)

// TestWhy: `why` run as a user would, on a file settling, one a render
// holds open for writing, one the exclude globs leave out and one whose
// upload failed, with the daemon stopped (the queue file and the rules)
// and running (the control channel): each answer names its state and its
// reason (the glob, the process, the retry command), paths are taken
// relative to the working directory, and the exit is 0.
func TestWhy(t *testing.T) {
	r := newRig(t, rigOptions{settle: "2m"})
	addToWatch(t, r, `exclude = [".*", "*.xml"]`)
	g := filepath.Join(r.root, "_graded")
	writeOld(t, filepath.Join(g, "refused.mov"), "refused by the API")
	writeOld(t, filepath.Join(g, "notes.xml"), "<xml/>")
	r.api.FailSign(1, http.StatusBadRequest, 0) // refused.mov's signing is refused for good
	r.sync(1)

	// A render holding held.mov open for writing (not writing now: its
	// mtime is old, so only the open-writer check holds it), and a file
	// just written, settling.
	held := filepath.Join(g, "held.mov")
	writeOld(t, held, "half a render")
	holder := holdOpen(t, held)
	if err := os.WriteFile(filepath.Join(g, "render.mov"), []byte("fresh"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{"render.mov", "held.mov", "notes.xml", "refused.mov"}

	check := func(res why.Result, running bool) {
		t.Helper()
		if res.DaemonRunning != running || len(res.Answers) != len(paths) {
			t.Fatalf("daemon_running %v, %d answers; want %v, %d", res.DaemonRunning, len(res.Answers), running, len(paths))
		}
		a := res.Answers
		if a[0].State != why.Settling || a[0].Settle == nil || a[0].Settle.Due.Before(time.Now()) || a[0].Rel != "_graded/render.mov" {
			t.Errorf("render.mov: %+v", a[0])
		}
		if a[1].State != why.HeldOpen || len(a[1].Holders) != 1 || a[1].Holders[0].PID != holder ||
			!strings.Contains(a[1].Reason, "pid") {
			t.Errorf("held.mov (held by pid %d): %+v", holder, a[1])
		}
		if a[2].State != why.Ignored || a[2].Rule == nil || a[2].Rule.Kind != why.RuleExclude || a[2].Rule.Glob != "*.xml" {
			t.Errorf("notes.xml: %+v", a[2])
		}
		if a[3].State != why.Failed || a[3].Failure == nil || a[3].Failure.Retry != "odailies-uploader retry _graded/refused.mov" ||
			!strings.Contains(a[3].Failure.Reason, "400") {
			t.Errorf("refused.mov: %+v", a[3])
		}
	}

	folder := func(running bool) {
		t.Helper()
		res, _ := r.why(t, g, ".")
		a := res.Answers[0]
		want := map[why.State]int{why.Settling: 1, why.HeldOpen: 1, why.Ignored: 1, why.Failed: 1}
		if a.State != why.Folder || a.Folder == nil || len(a.Folder.Counts) != len(want) || a.Folder.Files[0].State != why.Failed {
			t.Fatalf("the folder, running %v: %+v", running, a)
		}
		for s, n := range want {
			if a.Folder.Counts[s] != n {
				t.Errorf("the folder, running %v: %d %s, want %d (%v)", running, a.Folder.Counts[s], s, n, a.Folder.Counts)
			}
		}
	}

	// Stopped.
	res, out := r.why(t, g, paths...)
	check(res, false)
	folder(false)
	text := r.whyText(t, g, paths...)
	t.Logf("why, the daemon stopped:\n%s", text)
	for _, w := range []string{"The daemon is not running", "refused.mov: failed", "odailies-uploader retry _graded/refused.mov",
		`watch.exclude glob "*.xml"`, "held.mov: held-open", "render.mov: settling"} {
		if !strings.Contains(text, w) {
			t.Errorf("stopped, text: no %q in:\n%s", w, text)
		}
	}
	if !strings.Contains(out, `"state": "held-open"`) {
		t.Errorf("JSON keys: %s", out)
	}

	// Running: the watcher's loop holds held.mov once its writer check ran.
	d := r.start()
	r.eventually("the running daemon to hold held.mov open", 30*time.Second, func() bool {
		res, _ := r.whyRaw(g, "held.mov")
		return res.DaemonRunning && len(res.Answers) == 1 && res.Answers[0].State == why.HeldOpen
	})
	res, _ = r.why(t, g, paths...)
	check(res, true)
	folder(true)
	if s := res.Answers[1].Settle; s == nil || s.OpenSince.IsZero() || s.WriterCheck == "" {
		t.Errorf("held.mov running: settle %+v", s)
	}
	text = r.whyText(t, g, paths...)
	t.Logf("why, the daemon running:\n%s", text)
	if strings.Contains(text, "not running") || !strings.Contains(text, "the watcher first saw it held") {
		t.Errorf("running, text:\n%s", text)
	}
	d.stop()
}

// why runs `why -json PATHS` in dir and decodes its answer; exit 0.
func (r *rig) why(t *testing.T, dir string, paths ...string) (why.Result, string) {
	t.Helper()
	res, c := r.whyRaw(dir, paths...)
	if c.code != 0 {
		t.Fatalf("why exited %d\nstdout:\n%s\nstderr:\n%s", c.code, c.stdout, c.stderr)
	}
	return res, c.stdout
}

func (r *rig) whyRaw(dir string, paths ...string) (why.Result, result) {
	c := r.command(context.Background(), append([]string{"why", "-json"}, paths...)...)
	c.Dir = dir
	out := r.result(c, c.Run())
	var res why.Result
	if out.code == 0 {
		if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
			r.t.Fatalf("why -json: %v\n%s", err, out.stdout)
		}
	}
	return res, out
}

// whyText runs `why PATHS` in dir for people; exit 0.
func (r *rig) whyText(t *testing.T, dir string, paths ...string) string {
	t.Helper()
	c := r.command(context.Background(), append([]string{"why"}, paths...)...)
	c.Dir = dir
	out := r.result(c, c.Run())
	if out.code != 0 {
		t.Fatalf("why exited %d: %s", out.code, out.stderr)
	}
	return out.stdout
}

// addToWatch adds lines to the [watch] table of the rig's config.
func addToWatch(t *testing.T, r *rig, lines string) {
	t.Helper()
	b, err := os.ReadFile(r.config)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "[upload]\n", lines+"\n[upload]\n", 1)
	if err := os.WriteFile(r.config, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeOld writes a file whose mtime is an hour ago: settled at first sight.
func writeOld(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
}

// holdOpen starts a process that opens p for appending and waits; it
// returns the pid once the file is open. The process ends with the test.
func holdOpen(t *testing.T, p string) int {
	t.Helper()
	c := exec.Command("sh", "-c", `exec 3>>"$1"; echo open; exec cat`, "render-tool", p)
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); c.Wait() })
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatalf("the holder did not open %s: %v", p, err)
	}
	return c.Process.Pid
}

// TestWhyActive: a file going up over a capped link is "active", with
// the bytes sent growing between two asks and the rate; `why` as a
// person reads it says how much of it is sent.
func TestWhyActive(t *testing.T) {
	r := newRig(t, rigOptions{workers: 1})
	b, err := os.ReadFile(r.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.config, []byte(strings.Replace(string(b), "[upload]\n", "[upload]\nbandwidth = \"256KiB/s\"\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	writeOld(t, filepath.Join(r.root, "_graded", "big.mov"), strings.Repeat("frame", 1<<20)) // 5 MiB: 20 s at the cap
	d := r.start()
	var first why.Answer
	r.eventually("big.mov going up", 30*time.Second, func() bool {
		res, out := r.whyRaw(r.root, "_graded/big.mov")
		if out.code != 0 || len(res.Answers) != 1 {
			return false
		}
		first = res.Answers[0]
		return first.State == why.Active && first.Upload != nil && first.Upload.BytesSent > 0
	})
	r.eventually("more of big.mov sent", 30*time.Second, func() bool {
		res, _ := r.whyRaw(r.root, "_graded/big.mov")
		a := res.Answers[0]
		return a.State == why.Active && a.Upload.BytesSent > first.Upload.BytesSent && a.Upload.Rate > 0
	})
	if first.Upload.Size != 5<<20 {
		t.Errorf("size %d, want %d", first.Upload.Size, 5<<20)
	}
	if text := r.whyText(t, r.root, "_graded/big.mov"); !strings.Contains(text, "uploading now: ") || !strings.Contains(text, "of 5.0 MiB sent") {
		t.Errorf("text:\n%s", text)
	}
	d.stop()
}
