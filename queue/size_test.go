package queue

import (
	"testing"
	"unsafe"
)

// TestDoneRecordSize: every done record carries a recordExt (its
// delivery), so its size is per-file memory at 100,000 files (DESIGN.md
// Budgets): 80 bytes, the allocator's class for it, not 96.
func TestDoneRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(recordExt{}); n > 80 {
		t.Errorf("recordExt is %d bytes, want at most 80: keep small fields together, times as seconds and nanoseconds", n)
	}
}
