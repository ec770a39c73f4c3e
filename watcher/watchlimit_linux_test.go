package watcher

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWatchLimitFallsBackToPolling(t *testing.T) {
	root := mkTree(t)
	limit := fmt.Errorf("add watch: %w", syscall.ENOSPC)
	w, c := start(t, root, Options{Settle: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond}, func(w *Watcher) {
		w.newSource = func() (eventSource, error) { return newFakeSource(limit) }
	})
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
	s := w.Status()
	if s.Mode != "poll (fallback)" || !strings.Contains(s.Error, "sysctl fs.inotify.max_user_watches") {
		t.Fatalf("status %+v; want poll fallback naming the sysctl", s)
	}
	writeFile(t, filepath.Join(root, "_graded", "polled.mov"), 2)
	waitFor(t, c, "polled.mov", func() bool { n, _ := c.count("_graded/polled.mov"); return n == 1 })
}

// TestLimitHelpNamesTheLinuxLimit checks that each limit error names the
// knob to turn, and that other errors are not taken for limits.
func TestLimitHelpNamesTheLinuxLimit(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string // "" means: not a limit
	}{
		{fmt.Errorf("add watch: %w", syscall.ENOSPC), "fs.inotify.max_user_watches"},
		{fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE), "fs.inotify.max_user_instances"},
		{fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE), "LimitNOFILE="},
		{fmt.Errorf("couldn't initialize inotify: %w", syscall.ENFILE), "fs.file-max"},
		{fmt.Errorf("add watch: %w", syscall.EACCES), ""},
		{nil, ""},
	} {
		help, ok := limitHelp(tc.err)
		if ok != (tc.want != "") || !strings.Contains(help, tc.want) {
			t.Errorf("limitHelp(%v) = %q, %v; want one naming %q", tc.err, help, ok, tc.want)
		}
	}
}
