package queue

import (
	"testing"
	"unsafe"
)

// TestDoneRecordSize: a queue entry is per-file memory at 100,000 files
// (DESIGN.md Budgets). A done record keeps its MD5 in the entry (192
// bytes, the allocator's class) and needs no extension unless it has a
// disk spelling, a missing mark, an ETag that is not its MD5 or an
// action; the extension, when there is one, stays within 64 bytes.
func TestDoneRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 192 {
		t.Errorf("entry is %d bytes, want at most 192", n)
	}
	if n := unsafe.Sizeof(recordExt{}); n > 64 {
		t.Errorf("recordExt is %d bytes, want at most 64: keep small fields together, times as seconds and nanoseconds", n)
	}
	var r record
	r.setDelivery(storedDelivery{md5: [16]byte{1}, hasMD5: true, verified: codeETag})
	if r.ext != nil {
		t.Error("a done record whose ETag is its MD5 allocates an extension")
	}
	if d := r.delivery(); !d.hasMD5 || d.md5 != [16]byte{1} || d.verified != codeETag || d.etag != "" {
		t.Errorf("delivery read back as %+v", d)
	}
	r.setDelivery(storedDelivery{})
	if d := r.delivery(); d.present() || r.ext != nil {
		t.Errorf("cleared delivery read back as %+v, ext %v", d, r.ext)
	}
}
