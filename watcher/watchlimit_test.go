package watcher

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenFileLimitFallsBackToPolling makes the event source run out of
// descriptors (EMFILE) in each place it can: when it starts (inotify_init1
// on Linux), when a folder watch is added (kqueue opens every file), and on
// its error channel (kqueue opening a file that appeared later), and when
// the source is restarted after another error. Each time
// the watcher must poll instead, say which limit to raise, and still find
// new files.
func TestOpenFileLimitFallsBackToPolling(t *testing.T) {
	emfile := fmt.Errorf("open /x: %w", syscall.EMFILE)
	help, ok := limitHelp(emfile)
	if !ok {
		t.Skip("no descriptor limit on this OS")
	}
	for _, tc := range []struct {
		name   string
		failOn int   // newSource fails with EMFILE on this call (1: at start, 2: on restart)
		addErr error // Add fails with it
		inject error // sent on the error channel after the first scan
	}{
		{name: "start", failOn: 1},
		{name: "add", addErr: emfile},
		{name: "error channel", inject: emfile},
		{name: "restart", failOn: 2, inject: errors.New("read inotify: bad things")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := mkTree(t)
			var src *fakeSource
			calls := 0 // src and calls: only Run's goroutine writes them
			opts := Options{Settle: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond, Rescan: time.Hour}
			w, c := start(t, root, opts, func(w *Watcher) {
				w.newSource = func() (eventSource, error) {
					if calls++; calls == tc.failOn {
						return nil, emfile
					}
					s, err := newFakeSource(tc.addErr)
					src = s
					return s, err
				}
			})
			waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
			if tc.inject != nil {
				src.errs <- tc.inject
			}
			waitFor(t, c, "poll fallback", func() bool { return w.Status().Mode == "poll (fallback)" })
			if s := w.Status(); s.Error != help {
				t.Fatalf("Status.Error %q; want the limit's help %q", s.Error, help)
			}
			writeFile(t, filepath.Join(root, "_graded", "polled.mov"), 2)
			waitFor(t, c, "polled.mov", func() bool { n, _ := c.count("_graded/polled.mov"); return n == 1 })
		})
	}
}
