package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

const readOnly = odailiestest.Read

func clipTree(t *testing.T, n, size int) tree {
	files := tree{}
	for i := range n {
		files[fmt.Sprintf("_graded/day1/A%03dC001.mov", i)] = randomBytes(t, size+i)
		files[fmt.Sprintf("_thumbnails/day1/A%03dC001.jpg", i)] = randomBytes(t, 20_000+i)
	}
	return files
}

func TestKill9DuringUploads(t *testing.T) {
	r := newRig(t, rigOptions{link: true, workers: 3})
	files := clipTree(t, 8, 1<<20)
	files.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 2048) // KiB/s: each clip takes about half a second
	for i := range 10 {
		d := r.start()
		wait := time.Duration(200+rand.IntN(900)) * time.Millisecond
		select {
		case <-d.done:
			t.Fatalf("run %d exited early\nlog:\n%s", i, r.logTail())
		case <-time.After(wait):
		}
		d.kill()
	}
	r.link.RemoveAll()
	r.sync(0)
	r.assertStored(files)
	if st := r.status(); st.Failed != 0 || st.Done != len(files) {
		t.Errorf("after ten kills and a sync: %+v", st)
	}
}

func TestFlakyAPIAndLink(t *testing.T) {
	r := newRig(t, rigOptions{link: true})
	files := clipTree(t, 6, 512<<10)
	files.write(t, r.root)
	r.api.FailSign(4, 500, 0)
	r.api.FailSign(3, 429, time.Second)
	r.link.ResetPeer(toxi.Upstream, 300) // connections cut after 300 ms
	d := r.start()
	r.eventually("some sign attempts", 30*time.Second, func() bool { return r.api.Requests("sign") >= 7 })
	r.link.RemoveAll()
	r.link.Disable() // an outage
	time.Sleep(time.Second)
	r.link.Enable()
	r.eventually("every file uploaded", 90*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.Done == len(files)
	})
	d.stop()
	r.assertStored(files)
	if st := r.status(); st.Failed != 0 {
		t.Errorf("failed = %d after transient faults, want 0", st.Failed)
	}
	if !strings.Contains(r.logText(), "will be retried") {
		t.Errorf("the log shows no retry")
	}
}

func TestShortURLsOnSlowLink(t *testing.T) {
	r := newRig(t, rigOptions{link: true, workers: 2})
	r.signer.setLifetime(3 * time.Second)
	files := clipTree(t, 3, 2<<20)
	files.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 1024) // 2 MiB at 1 MiB/s: longer than a URL lives
	r.sync(0)
	r.assertStored(files)
}

func TestReadOnlyTokenIsPlainAndQuiet(t *testing.T) {
	r := newRig(t, rigOptions{perm: readOnly})
	clipTree(t, 3, 1000).write(t, r.root)
	d := r.start()
	var detail string
	r.eventually("the auth problem in the status", 30*time.Second, func() bool {
		s, ok := r.statusFile()
		detail = s.Detail
		return ok && s.State == "auth-error"
	})
	time.Sleep(3 * time.Second) // let a spinning daemon show itself
	signs := r.api.Requests("sign")
	d.stop()
	if signs > 6 {
		t.Errorf("%d sign requests with a refused token, want a handful at most", signs)
	}
	if !strings.Contains(detail, "Upload") && !strings.Contains(detail, "token") {
		t.Errorf("status detail %q does not say what to fix", detail)
	}
	if !strings.Contains(r.logText(), "auth-error") {
		t.Errorf("the log does not report the auth problem")
	}
	res := r.sync(1)
	if !strings.Contains(res.stderr, "token") {
		t.Errorf("sync with a refused token: stderr %q does not name the token", res.stderr)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(bin, "demo", "-dir", dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	received := filepath.Join(dir, "received")
	deadline := time.After(60 * time.Second)
	for countFiles(received) < 6 {
		select {
		case <-deadline:
			t.Fatalf("demo: %d of 6 samples received after 60s\n%s", countFiles(received), out.String())
		case err := <-done:
			t.Fatalf("demo exited early: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("demo did not stop on Ctrl-C\n%s", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("demo exited %d after Ctrl-C\n%s", code, out.String())
	}
}

func countFiles(dir string) int {
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() && !strings.HasPrefix(info.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}
