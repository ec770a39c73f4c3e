package uploader

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// Small files are sent from memory. net/http treats a body it knows to be
// in memory (*bytes.Reader) differently from any other reader: it writes
// the headers and the body together, where for a file, or our reader over
// one, it first flushes the headers on their own (a TLS record, a write
// and a TCP segment of their own, and a read on the storage's side), then
// copies the body through a 32 KiB buffer it allocates for each request.
// For a thumbnail that is most of the cost of its PUT: 1,500 x 64 KiB over
// https took 1.13 s and 0.61 s of CPU from memory against 1.59 s and
// 0.71 s streamed (scripts/bench-sync.sh, both builds in the same rounds).
//
// So a file of at most memBodyMax bytes, when no bandwidth cap paces the
// body, is read whole into a pooled buffer just before its PUT and sent
// from it. The digest is still the one taken before (digest.go), checked
// by the storage as for any PUT, and the file is still checked for change
// after the send (process). The bytes count as sent once the transport
// reports the request written (sendState.wrote): a PUT cut before that
// counts none, which is what the early-answer check needs.
//
// A buffer goes back to the pool only when the transport can no longer
// read it: after a 2xx whose request was written whole, in one hop. On any
// other outcome it is left to the garbage collector, since a write may
// still be going on a connection the transport is closing.

// memBodyMax is the largest file sent from memory: a thumbnail, not a
// clip. Its write is not seen byte by byte by the stall watchdog, which
// only sees the request start and its write end; at the default stall
// limit (1 min) that cuts a 256 KiB PUT only below ~4 KB/s.
const memBodyMax = 256 << 10

// memMin is the smallest pooled buffer; the pools hold powers of two from
// it to memBodyMax, so a 1 KiB file does not take a 256 KiB buffer.
const memMin = 4 << 10

var memPools [memClasses]sync.Pool

const memClasses = 7 // 4 KiB .. 256 KiB

func memClass(size int64) int {
	c := 0
	for int64(memMin)<<c < size {
		c++
	}
	return c
}

// memBody is a small file's bytes for its PUT.
type memBody struct {
	buf   *[]byte
	class int
	data  []byte
}

// readMem reads f's size bytes into a pooled buffer; nil when the file is
// not sent from memory (empty, larger than memBodyMax, or paced).
func (u *Uploader) readMem(f *os.File, size int64) (*memBody, error) {
	if size <= 0 || size > memBodyMax || u.lim != nil {
		return nil, nil
	}
	c := memClass(size)
	bp, _ := memPools[c].Get().(*[]byte)
	if bp == nil {
		b := make([]byte, memMin<<c)
		bp = &b
	}
	m := &memBody{buf: bp, class: c, data: (*bp)[:size]}
	n, err := f.ReadAt(m.data, 0)
	if err == io.EOF && int64(n) < size {
		err = fmt.Errorf("the file ended after %d of %d bytes", n, size)
	}
	if int64(n) == size {
		err = nil // ReadAt may report EOF with the last byte
	}
	if err != nil {
		m.release()
		return nil, err
	}
	return m, nil
}

// reader is one body for the transport: a *bytes.Reader, which it knows
// to be in memory.
func (m *memBody) reader() io.ReadCloser { return io.NopCloser(bytes.NewReader(m.data)) }

// release returns the buffer to its pool; m must not be used after.
func (m *memBody) release() {
	if m == nil || m.buf == nil {
		return
	}
	memPools[m.class].Put(m.buf)
	m.buf, m.data = nil, nil
}
