package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A damaged queue.db is refused, never a panic: the daemon exits 1 (a
// runtime failure, not a usage error), says the file is damaged and names
// the copy it kept as found, so that the evidence survives whatever the
// admin does next.

var keptCopyRE = regexp.MustCompile(`\S*queue\.db\.damaged-[0-9]{8}T[0-9]{6}Z`)

// TestDamagedQueue cuts queue.db to half its size after a sync; run and
// sync then exit 1 with "queue.db is damaged" and a kept copy that exists.
func TestDamagedQueue(t *testing.T) {
	r := newRig(t, rigOptions{})
	clipTree(t, 20, 5000).write(t, r.root)
	r.sync(0)
	db := filepath.Join(r.state, "queue.db")
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(db, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	t.Logf("queue.db cut from %d to %d bytes", fi.Size(), fi.Size()/2)
	for _, command := range []string{"run", "sync"} {
		t.Run(command, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			began := time.Now()
			res := r.cmd(ctx, command)
			took := time.Since(began).Round(time.Millisecond)
			out := res.stdout + res.stderr
			if ctx.Err() != nil {
				t.Fatalf("%s over a damaged queue.db still running after 20 s (stopped: exit %d)\noutput:\n%s\nlog:\n%s", command, res.code, out, r.logTail())
			}
			if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") || strings.Contains(r.logText(), "panic:") {
				t.Fatalf("%s over a damaged queue.db panicked (exit %d)\noutput:\n%s\nlog:\n%s", command, res.code, out, r.logTail())
			}
			if res.code != 1 || !strings.Contains(out, "queue.db is damaged") {
				t.Fatalf("%s over a damaged queue.db: exit %d after %s, want 1 saying \"queue.db is damaged\"\noutput:\n%s\nlog:\n%s",
					command, res.code, took, out, r.logTail())
			}
			kept := keptCopyRE.FindString(out)
			if kept == "" {
				t.Fatalf("%s over a damaged queue.db names no kept copy (queue.db.damaged-<time>)\noutput:\n%s", command, out)
			}
			if !filepath.IsAbs(kept) {
				kept = filepath.Join(r.state, filepath.Base(kept))
			}
			copyInfo, err := os.Stat(kept)
			if err != nil {
				t.Fatalf("%s names the kept copy %s, which cannot be read: %v", command, kept, err)
			}
			if copyInfo.Size() != fi.Size()/2 {
				t.Errorf("the kept copy %s is %d bytes, want %d (the file as found)", kept, copyInfo.Size(), fi.Size()/2)
			}
			t.Logf("%s exited 1 after %s: %s", command, took, strings.TrimSpace(res.stderr))
		})
	}
	if copies, _ := filepath.Glob(filepath.Join(r.state, "queue.db.damaged-*")); len(copies) != 1 {
		t.Errorf("after run and sync over the same damage: %d kept copies %q, want 1", len(copies), copies)
	}
}
