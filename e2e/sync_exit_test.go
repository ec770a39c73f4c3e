package e2e

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
)

// How sync and run end (DESIGN.md, command line): a missing folder is a
// warning, -give-up names why, a stop with work left says how much, and
// SIGHUP stops run cleanly.

// TestSyncExitMissingFolder: with _graded only, sync uploads it, warns
// about _thumbnails and exits 0.
func TestSyncExitMissingFolder(t *testing.T) {
	r := newRig(t, rigOptions{})
	if err := os.Remove(filepath.Join(r.root, "_thumbnails")); err != nil {
		t.Fatal(err)
	}
	files := tree{
		"_graded/A001C001.mov":       randomBytes(t, 200_000),
		"_graded/day 2/B002C001.mov": randomBytes(t, 70_000),
		"_graded/empty.mov":          {},
	}
	files.write(t, r.root)
	res := r.sync(0)
	r.assertStored(files)
	warned := regexp.MustCompile(`(?m)^.*(level=WARN|warning).*_thumbnails.*$`)
	if !warned.MatchString(res.stderr) && !warned.MatchString(r.logText()) {
		t.Errorf("sync with no _thumbnails folder: no warning naming it\nstderr:\n%s\nlog:\n%s", res.stderr, r.logTail())
	}
}

// TestSyncExitGivesUp: with the API unreachable, sync -give-up 15s exits
// 1 after 15 s (not much more), naming the API and saying it gave up.
func TestSyncExitGivesUp(t *testing.T) {
	api := closedLoopbackAddr(t)
	r := newRig(t, rigOptions{apiURL: "http://" + api + "/api/v1"})
	clipTree(t, 2, 10_000).write(t, r.root)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const giveUp = 15 * time.Second
	began := time.Now()
	res := r.cmd(ctx, "sync", "-give-up", giveUp.String())
	took := time.Since(began)
	if res.code != 1 || took < giveUp || took > giveUp+5*time.Second {
		t.Fatalf("sync -give-up %s with the API down: exit %d after %s, want 1 after %s to %s\nstderr:\n%s\nlog:\n%s",
			giveUp, res.code, took.Round(time.Millisecond), giveUp, giveUp+5*time.Second, res.stderr, r.logTail())
	}
	if !strings.Contains(res.stderr, api) || !strings.Contains(res.stderr, "gave up") {
		t.Errorf("sync's error does not name the API (%s) and say it gave up:\n%s", api, res.stderr)
	}
	t.Logf("gave up after %s: %s", took.Round(time.Millisecond), strings.TrimSpace(res.stderr))
}

// closedLoopbackAddr is a loopback host:port nobody listens on.
func closedLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// requireSignals skips where the rig cannot send Unix signals.
func requireSignals(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM and SIGHUP are Unix signals")
	}
}

var leftRE = regexp.MustCompile(`interrupted with (\d+) file\(s\) left`)

// TestSyncExitInterrupted: SIGTERM to a sync busy on a slow link ends it
// within seconds, exit 1, saying how many files were left.
func TestSyncExitInterrupted(t *testing.T) {
	requireSignals(t)
	r := newRig(t, rigOptions{link: true, countPuts: true, workers: 2})
	files := clipTree(t, 3, 1<<20) // 3 clips of 1 MiB and 3 thumbnails
	files.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 256) // KiB/s: 3 MiB take 12 s
	c := r.command(context.Background(), "sync")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	defer func() {
		if c.ProcessState == nil {
			c.Process.Kill()
			<-done
		}
	}()
	// Thumbnails go first; a clip takes 4 s on this link.
	r.eventually("a clip's upload on the wire", 30*time.Second, func() bool { return r.puts.Under("_graded/") > 0 })
	c.Process.Signal(syscall.SIGTERM)
	signalled := time.Now()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("sync still running 10s after SIGTERM\nlog:\n%s", r.logTail())
	}
	took := time.Since(signalled)
	res := r.result(c, nil)
	m := leftRE.FindStringSubmatch(res.stderr)
	if res.code == 0 || m == nil || strings.Contains(res.stderr, "still not stopped") {
		t.Fatalf("sync after SIGTERM with work left: exit %d after %s, want non-zero saying how many files were left\nstderr:\n%s\nlog:\n%s",
			res.code, took.Round(time.Millisecond), res.stderr, r.logTail())
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 || n > len(files) {
		t.Errorf("sync says %d file(s) left of %d", n, len(files))
	}
	t.Logf("stopped %s after SIGTERM: %s", took.Round(time.Millisecond), strings.TrimSpace(res.stderr))
}

// TestRunStopsOnSIGHUP: SIGHUP (an SSH session closing) stops run
// cleanly while an upload is in flight: exit 0, "stopped" in the log.
func TestRunStopsOnSIGHUP(t *testing.T) {
	requireSignals(t)
	r := newRig(t, rigOptions{link: true, countPuts: true})
	tree{"_graded/A001C001.mov": randomBytes(t, 2<<20)}.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 256)
	d := r.start()
	r.eventually("the upload on the wire", 30*time.Second, func() bool { return r.puts.Under("") > 0 })
	d.cmd.Process.Signal(syscall.SIGHUP)
	signalled := time.Now()
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("run still running 10s after SIGHUP\nlog:\n%s", r.logTail())
	}
	took := time.Since(signalled)
	ps := d.cmd.ProcessState
	stderr := d.cmd.Stderr.(interface{ String() string }).String()
	if !ps.Exited() || ps.ExitCode() != 0 || strings.Contains(stderr, "still not stopped") {
		t.Fatalf("run after SIGHUP with an upload in flight: %s after %s, want a clean exit 0\nstderr:\n%s\nlog:\n%s",
			ps, took.Round(time.Millisecond), stderr, r.logTail())
	}
	if !regexp.MustCompile(`(?m)msg=stopped\b`).MatchString(r.logText()) {
		t.Errorf("no \"stopped\" line in the log after SIGHUP\nlog:\n%s", r.logTail())
	}
	t.Logf("stopped %s after SIGHUP", took.Round(time.Millisecond))
}
