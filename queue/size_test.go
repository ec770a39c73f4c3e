package queue

import (
	"testing"
	"time"
	"unsafe"
)

// TestDoneRecordSize: a queue entry is per-file memory at 100,000 files
// (DESIGN.md Budgets). A done record keeps its MD5 in the entry (144
// bytes, the allocator's class; record.go) and needs no extension unless
// it has a disk spelling, a missing mark, an ETag that is not its MD5, an
// action, a last error or a retry time; the extension, when there is
// one, stays within 96 bytes (a class).
func TestDoneRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 144 {
		t.Errorf("entry is %d bytes, want at most 144: what few records have goes in recordExt", n)
	}
	if n := unsafe.Sizeof(recordExt{}); n > 96 {
		t.Errorf("recordExt is %d bytes, want at most 96: keep small fields together, times as seconds and nanoseconds", n)
	}
	var q record
	q.setLastError("")
	q.setNotBefore(time.Time{})
	if q.ext != nil {
		t.Error("a job never retried allocates an extension")
	}
	q.setLastError("503")
	q.setNotBefore(t0)
	q.setLastError("")
	q.setNotBefore(time.Time{})
	if q.ext != nil {
		t.Errorf("a job whose retry was cleared keeps an extension: %+v", *q.ext)
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
