package watcher

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestIgnored(t *testing.T) {
	w, err := New(t.TempDir(), Options{
		Dirs:    []string{"_graded", "_thumbnails", "deep/_proxies"},
		Exclude: []string{"*.xml", "_graded/old*", "_graded/day*/B*.mov"},
		Include: []string{"*.mov", "*.jpg", "*.mxf", "*.xml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rel  string
		dir  bool
		want Ignore
	}{
		{"_graded/A001.mov", false, Ignore{}},
		{"_graded/day1/A001.mov", false, Ignore{}},
		{"deep/_proxies/p.mov", false, Ignore{}},
		{"_graded", true, Ignore{}},
		{"", true, Ignore{}},
		{"deep", true, Ignore{}},
		{"_graded/day1", true, Ignore{}},
		{"_graded/.DS_Store", false, Ignore{Kind: IgnoreJunk, Glob: ".*"}},
		{"_graded/._A001.mov", false, Ignore{Kind: IgnoreJunk, Glob: ".*"}},
		{"_graded/~lock.mov", false, Ignore{Kind: IgnoreJunk, Glob: "~*"}},
		{"_graded/A001.mov.PART", false, Ignore{Kind: IgnoreJunk, Glob: "*.part"}},
		{"_thumbnails/Thumbs.db", false, Ignore{Kind: IgnoreJunk, Glob: "Thumbs.db"}},
		{"_graded/A001.xml", false, Ignore{Kind: IgnoreExclude, Glob: "*.xml"}},
		{"_graded/day2/B002.mov", false, Ignore{Kind: IgnoreExclude, Glob: "_graded/day*/B*.mov"}},
		{"_graded/A001.wav", false, Ignore{Kind: IgnoreInclude}},
		{"_graded/.cache/A001.mov", false, Ignore{Kind: IgnoreHiddenFolder, Folder: "_graded/.cache"}},
		{"_graded/.cache", true, Ignore{Kind: IgnoreHiddenFolder, Folder: "_graded/.cache"}},
		{"_graded/old/x/A001.mov", false, Ignore{Kind: IgnoreExcludedFolder, Glob: "_graded/old*", Folder: "_graded/old"}},
		{"_audio/A001.mov", false, Ignore{Kind: IgnoreOutsideDirs}},
		{"A001.mov", false, Ignore{Kind: IgnoreOutsideDirs}},
		{"deep/A001.mov", false, Ignore{Kind: IgnoreOutsideDirs}},
		{"_audio", true, Ignore{Kind: IgnoreOutsideDirs}},
	}
	for _, c := range cases {
		if got := w.Ignored(c.rel, c.dir); got != c.want {
			t.Errorf("Ignored(%q, dir %v) = %+v, want %+v", c.rel, c.dir, got, c.want)
		}
		// The rules that Run applies agree, for files in a watched dir.
		if c.dir || c.want.Kind == IgnoreOutsideDirs {
			continue
		}
		top := c.rel[:strings.Index(c.rel, "/")]
		if strings.HasPrefix(c.rel, "deep/") {
			top = "deep/_proxies"
		}
		if skip := w.rules.skipPath(top, c.rel); skip != (c.want.Kind != "") {
			t.Errorf("skipPath(%q) = %v, but Ignored says %+v", c.rel, skip, c.want)
		}
	}
}

// TestExplain: what a running Run says of a file settling, one held open,
// one handed over, one held back as unreadable, and one it never met; and
// that Explain answers at once, knowing nothing, when Run is not running.
func TestExplain(t *testing.T) {
	root := mkTree(t)
	g := filepath.Join(root, "_graded")
	for _, n := range []string{"new.mov", "held.mov", "old.mov", "denied.mov"} {
		writeFile(t, filepath.Join(g, n), 10)
	}
	if err := os.Chmod(filepath.Join(g, "denied.mov"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-3 * time.Hour)
	for _, n := range []string{"old.mov", "denied.mov"} {
		if err := os.Chtimes(filepath.Join(g, n), long, long); err != nil {
			t.Fatal(err)
		}
	}
	idle, err := New(root, Options{Dirs: []string{"_graded"}, Settle: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := idle.Explain(t.Context(), "_graded/new.mov"); err != nil || e.Running || e.Settle != 5*time.Second {
		t.Fatalf("not running: %+v, %v", e, err)
	}

	c := newCollector()
	w, tick := clocked(t, root, Options{Settle: 5 * time.Second}, c, func(w *Watcher) {
		w.writers = func(_ string, cands []candidate) []bool {
			busy := make([]bool, len(cands))
			for i, c := range cands {
				busy[i] = c.rel == "_graded/held.mov"
			}
			return busy
		}
		w.me = strangerIDs() // the bits deny denied.mov (0600, another owner) where the OS has them
		w.canOpen = func(name string) error {
			if filepath.Base(name) == "denied.mov" {
				return fs.ErrPermission
			}
			return nil
		}
	})
	ask := func(rel string) Explanation {
		t.Helper()
		e, err := w.Explain(t.Context(), rel)
		if err != nil || !e.Running {
			t.Fatalf("Explain(%s): %+v, %v", rel, e, err)
		}
		return e
	}
	if e := ask("_graded/new.mov"); !e.Tracked || !e.Pending || e.Size != 10 || !e.OpenSince.IsZero() || e.Due.IsZero() {
		t.Errorf("settling: %+v", e)
	}
	tick(5 * time.Second) // new.mov and held.mov due: held.mov is held, new.mov handed over
	if e := ask("_graded/new.mov"); e.Pending || !e.Emitted {
		t.Errorf("settled: %+v", e)
	}
	if e := ask("_graded/held.mov"); !e.Pending || e.OpenSince.IsZero() || e.Due.IsZero() {
		t.Errorf("held open: %+v", e)
	}
	if e := ask("_graded/old.mov"); !e.Tracked || e.Pending || !e.Emitted || e.Problem != "" {
		t.Errorf("handed over: %+v", e)
	}
	if e := ask("_graded/denied.mov"); e.Emitted || !strings.Contains(e.Problem, "permission denied") {
		t.Errorf("unreadable: %+v", e)
	}
	if e := ask("_graded/never.mov"); e.Tracked || e.NextScan.IsZero() || e.Settle != 5*time.Second || e.Mode != "poll" {
		t.Errorf("never met: %+v", e)
	}
	if n, _ := c.count("_graded/old.mov"); n != 1 {
		t.Errorf("old.mov emitted %d times", n)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := w.Explain(ctx, "_graded/new.mov"); err == nil {
		t.Error("Explain with its ctx ended: no error")
	}
}

// TestWriters: a child process holding a file open for writing is named
// by pid and command; once it exits, nobody is.
func TestWriters(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are named on Linux only")
	}
	root := mkTree(t)
	p := filepath.Join(root, "_graded", "render.mov")
	writeFile(t, p, 0)
	w, err := New(root, Options{Dirs: []string{"_graded"}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "exec 3>>\"$1\"; echo open; read x", "holder", p)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil { // the child has the file open
		t.Fatal(err)
	}
	h := w.Writers("_graded/render.mov")
	if !h.Known || !h.Held || len(h.Writers) != 1 || h.Writers[0].PID != cmd.Process.Pid ||
		!strings.Contains(h.Writers[0].Command, "holder") {
		t.Fatalf("held by the child %d: %+v", cmd.Process.Pid, h)
	}
	all, known, _ := w.WritersUnder()
	if ws := all["_graded/render.mov"]; !known || len(ws) != 1 || ws[0].PID != cmd.Process.Pid || len(all) != 1 {
		t.Errorf("WritersUnder: %v (known %v), want only render.mov held by %d", all, known, cmd.Process.Pid)
	}
	stdin.Close()
	cmd.Wait()
	if all, _, _ := w.WritersUnder(); len(all) != 0 {
		t.Errorf("WritersUnder after the child exited: %v", all)
	}
	if h := w.Writers("_graded/render.mov"); h.Held || len(h.Writers) != 0 {
		t.Errorf("after the child exited: %+v", h)
	}
}
