package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
)

// A full state disk (queue.db cannot be written): the daemon stays up,
// says so, keeps what happens in memory, and resumes by itself once there
// is room, sending no file twice (it is not restarted, so every Done it
// recorded in memory still counts).

var fullRE = regexp.MustCompile(`(?i)no space left on device|cannot write (queue\.db|the status file)`)

// TestStateDirFull: state.dir is a 1 MiB tmpfs; while files arrive over a
// slow link a filler takes every free byte, for 10 s, and is deleted.
func TestStateDirFull(t *testing.T) {
	requireMounts(t)
	r := newRig(t, rigOptions{link: true, countPuts: true, workers: 2})
	if err := os.MkdirAll(r.state, 0o700); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, r.state, "1m", "0700")
	files := tree{}
	for i := range 6 {
		files[fmt.Sprintf("_graded/day1/A%03dC001.mov", i)] = randomBytes(t, 32<<10+i)
	}
	files.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 64) // KiB/s per connection: half a second a file
	d := r.start()
	r.eventually("two files uploaded", 30*time.Second, func() bool { return len(r.uploaded()) >= 2 })

	filler := fillDisk(t, r.state)
	filled := time.Now()
	// Files keep arriving: their records need pages queue.db has not got.
	arriving := tree{}
	for i := range 60 {
		arriving[fmt.Sprintf("_graded/day2/%s_%03d.mov", strings.Repeat("B002C014_long_render_name_", 6), i)] = randomBytes(t, 1000+i)
	}
	arriving.write(t, r.root)
	for k, v := range arriving {
		files[k] = v
	}
	r.eventually("the full state.dir in the status or the log", 15*time.Second, func() bool {
		s, _ := r.statusFile()
		return s.State == "state-dir-error" || fullRE.MatchString(r.logText())
	})
	time.Sleep(time.Until(filled.Add(10 * time.Second)))
	select {
	case err := <-d.done:
		t.Fatalf("run exited with state.dir full: %v\nstderr:\n%s\nlog:\n%s", err, d.cmd.Stderr, r.logTail())
	default:
	}
	full, _ := r.statusFile()
	statusSays := full.State == "state-dir-error" && fullRE.MatchString(full.Detail)
	logSays := strings.Join(regexp.MustCompile(`(?m)^.*(`+fullRE.String()+`).*$`).FindAllString(r.logText(), 3), "\n")
	if !statusSays && logSays == "" {
		t.Errorf("10 s with state.dir full: neither status.json (state %q, detail %q) nor the log says state.dir is full or cannot be written\nlog:\n%s",
			full.State, full.Detail, r.logTail())
	}
	queueFailed := strings.Contains(r.logText(), "queue write failed")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()

	var last statusDoc
	deadline := time.Now().Add(45 * time.Second)
	for {
		s, ok := r.statusFile()
		if ok {
			last = s
		}
		if ok && s.Done == len(files) && s.Queued == 0 && s.Active == 0 && s.Updated.After(freed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("45 s after state.dir had room again: done=%d queued=%d active=%d failed=%d (want done=%d), state %q %q\nlog:\n%s",
				last.Done, last.Queued, last.Active, last.Failed, len(files), last.State, last.Detail, r.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	resumed := time.Since(freed)
	if last.State != "running" || last.Failed != 0 {
		t.Errorf("status once state.dir had room again: state %q (%q), failed=%d; want running, failed=0", last.State, last.Detail, last.Failed)
	}
	d.stop()
	r.assertStored(files)
	var twice []string
	for _, k := range files.sortedKeys() {
		if n := r.puts.Puts(k); n != 1 {
			twice = append(twice, fmt.Sprintf("%s (%d PUTs)", k, n))
		}
	}
	if len(twice) > 0 {
		t.Errorf("with state.dir full and no restart, files were PUT more than once: %s\nlog:\n%s", strings.Join(twice, ", "), r.logTail())
	}
	t.Logf("full for %s: status %q %q; queue write failed: %v; all %d files done %s after room came back; the log said:\n%s",
		freed.Sub(filled).Round(time.Millisecond), full.State, full.Detail, queueFailed, len(files), resumed.Round(time.Millisecond), logSays)
}

// fillDisk writes a file in dir until its file system is full.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			return name
		}
	}
}
