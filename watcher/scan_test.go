package watcher

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCancelDuringScanStopsPromptly stops Run from inside a folder read, in
// the first scan and in a later one, and checks that no other folder is
// read afterwards, that Run returns context.Canceled, and that the cut-short
// scan is neither reported nor counted (so nothing is pruned on its word).
func TestCancelDuringScanStopsPromptly(t *testing.T) {
	const folders = 50
	root := mkTree(t)
	for d := range folders {
		writeFile(t, filepath.Join(root, "_graded", fmt.Sprintf("d%02d", d), "a.mov"), 1)
	}
	perScan := folders + 1 // _graded itself
	for _, tc := range []struct {
		name      string
		cutAt     int // the folder read during which the stop comes
		wantScans int
	}{
		{"first scan", 5, 0},
		{"second scan", perScan + 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := New(root, Options{Dirs: []string{"_graded"}, Poll: true, PollInterval: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			reads := 0 // only Run's goroutine touches it until Run returns
			w.readDir = func(dir string) ([]fs.DirEntry, error) {
				if reads++; reads == tc.cutAt {
					cancel() // a stop arriving while a slow share answers
				}
				return os.ReadDir(dir)
			}
			c := newCollector()
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx, c) }()
			deadline := time.NewTimer(10 * time.Second)
			defer deadline.Stop()
			select {
			case err = <-done:
			case <-deadline.C:
				t.Fatal("Run did not return after cancel")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want context.Canceled", err)
			}
			if reads != tc.cutAt {
				t.Errorf("%d folders read, want %d: the scan went on after the stop", reads, tc.cutAt)
			}
			if n, s := c.scanCount(), w.Status(); n != tc.wantScans || s.Scans != tc.wantScans {
				t.Errorf("Scanned called %d times, Status.Scans %d; want %d (a cut-short scan is not a scan)", n, s.Scans, tc.wantScans)
			}
		})
	}
}
