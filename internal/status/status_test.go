package status

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fixedKeys are the keys scripts read (DESIGN.md "Status"): never renamed
// or removed.
var fixedKeys = []string{"state", "updated", "queued", "active", "done", "failed", "gone",
	"bytes_done", "rate_bytes_per_s", "active_files", "recent_failures", "watcher"}

func sample(now time.Time) *Doc {
	return &Doc{
		State: Running, Updated: now.UTC(), Queued: 2, Active: 1, Done: 5, Failed: 1,
		BytesDone: 3 << 20, Rate: 1.5 * (1 << 20), QueuedBytes: 1 << 30, ETASeconds: 700,
		ActiveFiles:    []ActiveFile{{Path: "_graded/a.mov", BytesSent: 512, Size: 1024}},
		RecentFailures: []RecentFailure{{Path: "_graded/b.mov", Error: "storage refused it: 400", At: now.UTC()}},
		Watcher:        Watcher{Mode: "events", Dirs: []string{"_graded"}, LastScan: now.UTC(), Pending: 3, WriterCheck: "inotify + /proc"},
		Version:        "dev-abc",
	}
}

func TestWriteReadKeepsTheFixedKeys(t *testing.T) {
	p := Path(t.TempDir())
	now := time.Now().Truncate(time.Second)
	if err := Write(p, sample(now)); err != nil {
		t.Fatal(err)
	}
	doc, raw, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if doc.State != Running || doc.Done != 5 || !doc.Updated.Equal(now) || doc.ActiveFiles[0].Size != 1024 {
		t.Errorf("read back %+v", doc)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range fixedKeys {
		if _, ok := keys[k]; !ok {
			t.Errorf("status.json lacks the fixed key %q", k)
		}
	}
	var w map[string]json.RawMessage
	if err := json.Unmarshal(keys["watcher"], &w); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mode", "dirs", "last_scan", "error"} {
		if _, ok := w[k]; !ok {
			t.Errorf("watcher lacks the fixed key %q", k)
		}
	}
	if fi, err := os.Stat(p); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("status.json mode %o, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".status-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReadRefusesGarbage(t *testing.T) {
	p := Path(t.TempDir())
	if err := os.WriteFile(p, []byte("{half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("Read = %v, want an error naming the file", err)
	}
}

func TestRenderForPeople(t *testing.T) {
	now := time.Now()
	var b bytes.Buffer
	Render(&b, sample(now), now, "running")
	out := b.String()
	for _, want := range []string{"State:", "running", "queued 2 (1.0 GiB)", "done 5", "failed 1",
		"1.5 MiB/s", "_graded/a.mov", "seen by inotify + /proc", " 50.0%", "Recent failures", "storage refused it"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderSaysWhenTheDaemonIsNotRunning(t *testing.T) {
	now := time.Now()
	doc := sample(now.Add(-time.Minute))
	var b bytes.Buffer
	Render(&b, doc, now, "stopped")
	if !strings.Contains(b.String(), "not running (the daemon last wrote its status 1m0s ago") {
		t.Errorf("a stale document is shown as current:\n%s", b.String())
	}
	doc.State = Stopped
	b.Reset()
	Render(&b, doc, now, "stopped")
	if !regexp.MustCompile(`State:\s+stopped\n`).MatchString(b.String()) {
		t.Errorf("a stopped daemon:\n%s", b.String())
	}
}
