package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/why"
)

// TestWhyServiceUser: the daemon runs as the packaged service user. A
// folder and a file only root may read are answered "unreadable" with
// the setfacl line, and why exits 1, whether the daemon runs (its
// watcher holds them back) or is stopped (why run as the service user
// meets the refusal itself). A render running as root holds a file open
// and writes to it: the daemon holds it (its inotify bookkeeping), and
// why run with sudo names the render's pid, which the service user may
// not see.
func TestWhyServiceUser(t *testing.T) {
	s := newServiceRig(t, rigOptions{settle: "400ms"})
	g := filepath.Join(s.root, "_graded")
	locked := filepath.Join(g, "locked")
	mustMkdir(t, locked)
	writeOld(t, filepath.Join(locked, "secret.mov"), "root's only")
	chmod(t, locked, 0o700)
	writeOld(t, filepath.Join(g, "private.mov"), "root's only too")
	chmod(t, filepath.Join(g, "private.mov"), 0o600)
	d := s.runAsService()
	s.waitRunning()

	render := filepath.Join(g, "render.mov")
	pid, writeMore := rootRender(t, render)
	writeMore()
	paths := []string{"_graded/locked/secret.mov", "_graded/private.mov", "_graded/render.mov"}
	var res why.Result
	s.eventually("the daemon to hold render.mov open", 30*time.Second, func() bool {
		var code int
		res, code = s.whyAs(t, nil, paths...)
		return code == 1 && res.DaemonRunning && res.Answers[2].State == why.HeldOpen
	})
	logAnswers(t, "running, why as root", res)
	for i, a := range res.Answers[:2] {
		if a.State != why.Unreadable || !strings.Contains(a.Reason+a.Fix, "setfacl") || !strings.Contains(a.Reason+a.Fix, s.user) {
			t.Errorf("%s, running: %+v", paths[i], a)
		}
	}
	if h := res.Answers[2].Holders; len(h) != 1 || h[0].PID != pid {
		t.Errorf("render.mov held by root's pid %d: why as root names %+v: %s", pid, h, res.Answers[2].Reason)
	}
	d.stop()

	res, code := s.whyAs(t, s.as, paths...)
	if code != 1 || res.DaemonRunning {
		t.Fatalf("stopped, as %s: exit %d, running %v; want 1, false", s.user, code, res.DaemonRunning)
	}
	logAnswers(t, "stopped, why as the service user", res)
	for i, a := range res.Answers[:2] {
		if a.State != why.Unreadable || !strings.Contains(a.Fix, "sudo setfacl ") || !strings.Contains(a.Fix, "u:"+s.user+":r") {
			t.Errorf("%s, stopped, as %s: %+v", paths[i], s.user, a)
		}
	}
	if !strings.Contains(res.Answers[0].Reason, locked) || !strings.Contains(res.Answers[0].Fix, "-R -m u:"+s.user+":rX "+locked) {
		t.Errorf("secret.mov: the folder to fix is not named: %+v", res.Answers[0])
	}
	if a := res.Answers[2]; len(a.Holders) != 0 || !strings.Contains(strings.Join(a.Unknown, " "), "run with sudo") {
		t.Errorf("render.mov, stopped, as %s (who may not see root's processes): %+v", s.user, a)
	}
	res, _ = s.whyAs(t, nil, paths[2])
	if a := res.Answers[0]; a.State != why.HeldOpen || len(a.Holders) != 1 || a.Holders[0].PID != pid {
		t.Errorf("render.mov, stopped, as root: %+v", a)
	}
	s.assertServiceOwns("why as root and as the service user")
}

// whyAs runs `why -json PATHS` through the prefix as (nil: as root) and
// decodes its answer; it returns the exit code.
func (s *serviceRig) whyAs(t *testing.T, as []string, paths ...string) (why.Result, int) {
	t.Helper()
	out := s.cmdAs(context.Background(), as, s.config, append([]string{"why", "-json"}, paths...)...)
	var res why.Result
	if err := json.Unmarshal([]byte(out.stdout), &res); err != nil || len(res.Answers) != len(paths) {
		t.Fatalf("why -json exited %d: %v\nstdout:\n%s\nstderr:\n%s", out.code, err, out.stdout, out.stderr)
	}
	return res, out.code
}

// rootRender starts a root process that holds p open for writing and
// appends a line each time writeMore is called; it returns its pid.
func rootRender(t *testing.T, p string) (pid int, writeMore func()) {
	t.Helper()
	c := exec.Command("sh", "-c", `exec 3>>"$1"; chmod 644 "$1"; echo open; while read line; do echo "$line" >&3; echo ok; done`, "render", p)
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
	rd := bufio.NewReader(stdout)
	if _, err := rd.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid, func() {
		t.Helper()
		if _, err := stdin.Write([]byte("frame\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := rd.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
}

// logAnswers logs what a person would read.
func logAnswers(t *testing.T, what string, res why.Result) {
	t.Helper()
	var b strings.Builder
	if err := why.Write(&b, res); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", what, b.String())
}
