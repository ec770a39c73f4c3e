package watcher

import (
	"testing"
	"unsafe"
)

// TestFileStateSize: one fileState a watched file, so its size is
// per-file memory at 100,000 files (DESIGN.md Budgets): 80 bytes, an
// allocator class, where a disk string and an int index made it 96.
func TestFileStateSize(t *testing.T) {
	if n := unsafe.Sizeof(fileState{}); n > 80 {
		t.Errorf("fileState is %d bytes, want at most 80", n)
	}
}
