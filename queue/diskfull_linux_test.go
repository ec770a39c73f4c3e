package queue

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiskFullTmpfs fills a real file system under a working queue: the
// state dir is a 3 MiB tmpfs (the file ends near 2 MiB); while workers lease and finish jobs, a filler
// file takes every free byte and a large Enqueue needs new pages. The queue
// keeps working in memory and says why; once the filler is gone the writer's
// next attempt records everything. Nothing is lost, no job is leased twice.
// It needs root (mount); elsewhere the seam tests in writefail_test.go
// cover the same ground.
func TestDiskFullTmpfs(t *testing.T) {
	if os.Geteuid() != 0 || testing.Short() {
		t.Skip("needs root to mount a tmpfs, and no -short")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { // registered first, so it runs after the queue is closed
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	path, tm := filepath.Join(dir, "queue.db"), newTimers()
	q := open(t, path, Options{afterWrite: tm.after})
	total := 300
	enqueue(t, q, loadItems(0, total)...)
	leases, finished := countLeases(t, q, 4)
	for range 100 {
		<-finished
	}

	filler := fill(t, dir)
	total += 3000
	enqueue(t, q, longItems(total-3000, total)...) // needs pages the disk has not got
	werr := q.WriteError()
	if !errors.Is(werr, syscall.ENOSPC) || !strings.Contains(werr.Error(),
		"cannot write queue.db in "+dir+": no space left on device: free space there; uploads resume by themselves") {
		t.Fatalf("WriteError() = %v, want the full disk", werr)
	}
	<-tm.asked // the writer waits to try again
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	tm.fire <- t0
	checkAllDone(t, q, path, leases, finished, total)
}

// fill writes a file in dir until the file system is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return name
		}
	}
}

// longItems are items with paths long enough that a batch of them needs
// many new pages.
func longItems(from, to int) []Item {
	var items []Item
	for i := from; i < to; i++ {
		items = append(items, item(fmt.Sprintf("_graded/%s/%06d.mov", strings.Repeat("long-folder-name", 8), i), int64(i+1)))
	}
	return items
}
