package watcher

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// sizedCollector is a collector that also records the size of every
// Settled call.
type sizedCollector struct {
	*collector
	calls []int // under collector.mu
}

func (c *sizedCollector) Settled(ctx context.Context, files []File) error {
	c.mu.Lock()
	c.calls = append(c.calls, len(files))
	c.mu.Unlock()
	return c.collector.Settled(ctx, files)
}

// TestSettledInChunks: a first scan that settles more than settleChunk
// files in one tick hands them over settleChunk at a time, each file once,
// so the handover is never the whole tree in memory at once.
func TestSettledInChunks(t *testing.T) {
	root := mkTree(t)
	const n = 2*settleChunk + 100
	for i := range n {
		writeFile(t, filepath.Join(root, "_graded", fmt.Sprintf("d%d", i%7), fmt.Sprintf("f%04d.mov", i)), 1)
	}
	c := &sizedCollector{collector: newCollector()}
	startWith(t, root, Options{}, nil, c)
	waitFor(t, c.collector, "every file settled", func() bool { return len(c.emitted()) >= n })
	files := c.emitted()
	seen := make(map[string]bool, n)
	for _, f := range files {
		if seen[f.Path] {
			t.Errorf("%s handed over twice", f.Path)
		}
		seen[f.Path] = true
	}
	if len(seen) != n {
		t.Errorf("%d files handed over, want %d", len(seen), n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.calls) < 3 {
		t.Errorf("Settled called %d times (%v), want at least 3 for %d files", len(c.calls), c.calls, n)
	}
	for _, k := range c.calls {
		if k > settleChunk || k == 0 {
			t.Errorf("a Settled call got %d files (calls %v), want 1 to %d", k, c.calls, settleChunk)
		}
	}
}
