package uploader

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/odailies/odailies-uploader/queue"
)

// Small files are sent from memory. net/http treats a body it knows to be
// in memory (*bytes.Reader) differently from any other reader: it writes
// the headers and the body together, where for a file, or our reader over
// one, it first flushes the headers on their own (a TLS record, a write
// and a TCP segment of their own, and a read on the storage's side), then
// copies the body through a 32 KiB buffer it allocates for each request.
// For a thumbnail that is most of the cost of its PUT: 1,500 x 64 KiB over
// https took 1.19 s and 0.70 s of CPU from memory against 1.64 s and
// 0.85 s streamed (scripts/bench-sync.sh, both builds in the same rounds).
//
// So a file of at most memBodyMax bytes, when no bandwidth cap paces the
// body, is read whole into a pooled buffer by its worker, checked by an
// fstat after the read against the job (open checked it before; else it
// changed: Changed), and its
// Content-MD5 is taken from that buffer: the digest is of the very bytes
// sent, and the file is read once. The hasher ahead leaves such files
// alone (digest.go); hiding a digest that costs tens of microseconds
// behind the network is worth less than the second open and read. After
// the send the file is checked for change as any other (process). The
// bytes count as sent once the transport reports the request written
// (sendState.wrote): a PUT cut before that counts none, which is what
// the early-answer check needs. A send the storage received damaged reads
// the file again into a new buffer.
//
// A buffer goes back to the pool only when the transport can no longer
// read it: every PUT of it was one request the transport reported
// written whole. Otherwise (a redirect, a write cut or still going on a
// connection the transport is closing) it is left to the garbage
// collector.

// memBodyMax is the largest file sent from memory: a thumbnail, not a
// clip. Its write is not seen byte by byte by the stall watchdog, which
// only sees the request start and its write end; at the default stall
// limit (1 min) that cuts a 256 KiB PUT only below ~4 KB/s.
const memBodyMax = 256 << 10

// memMin is the smallest pooled buffer; the pools hold powers of two from
// it to memBodyMax, so a 1 KiB file does not take a 256 KiB buffer.
const memMin = 4 << 10

const memClasses = 7 // 4 KiB .. 256 KiB

var memPools [memClasses]sync.Pool

func memClass(size int64) int {
	c := 0
	for int64(memMin)<<c < size {
		c++
	}
	return c
}

// memBody is a small file's bytes for its PUT, and their MD5.
type memBody struct {
	buf   *[]byte
	class int
	data  []byte
	sum   digest
	held  bool // a PUT of it may still be read by the transport
}

// memSends reports whether a file of size is sent from memory.
func (u *Uploader) memSends(size int64) bool {
	return size > 0 && size <= memBodyMax && u.lim == nil
}

// memFor reads job's open file f into memory (and its MD5 when hash), if
// it is sent from memory; nil and ok when it is not. An outcome ends the
// job instead: the file changed (an fstat after the read must match the
// job, as open's before it did) or could not be read.
func (u *Uploader) memFor(job queue.Job, f *os.File, hash bool) (*memBody, outcome, bool) {
	if !u.memSends(job.Size) {
		return nil, outcome{}, true
	}
	m, err := readMem(f, job.Size)
	if err != nil {
		return nil, u.transient(job, fmt.Errorf("read the file: %w", err)), false
	}
	if fi, err := f.Stat(); err != nil || !sameVersion(fi, job.Item) {
		m.release()
		return nil, changed(errVersionChanged.Error()), false
	}
	if hash {
		m.sum = md5.Sum(m.data)
	}
	return m, outcome{}, true
}

// readMem reads f's size bytes into a pooled buffer.
func readMem(f *os.File, size int64) (*memBody, error) {
	c := memClass(size)
	bp, _ := memPools[c].Get().(*[]byte)
	if bp == nil {
		b := make([]byte, memMin<<c)
		bp = &b
	}
	m := &memBody{buf: bp, class: c, data: (*bp)[:size]}
	n, err := f.ReadAt(m.data, 0)
	switch {
	case int64(n) == size:
		return m, nil // ReadAt may report EOF with the last byte
	case err == io.EOF || err == nil:
		err = fmt.Errorf("the file ended after %d of %d bytes", n, size)
	}
	m.release()
	return nil, err
}

// reader is one body for the transport: a *bytes.Reader, which it knows
// to be in memory.
func (m *memBody) reader() io.ReadCloser { return io.NopCloser(bytes.NewReader(m.data)) }

// inUse keeps the buffer out of the pool: a PUT of it may still be read.
func (m *memBody) inUse() { m.held = true }

// release returns the buffer to its pool unless a PUT may still read it;
// m must not be used after. nil does nothing.
func (m *memBody) release() {
	if m == nil || m.buf == nil {
		return
	}
	if !m.held {
		memPools[m.class].Put(m.buf)
	}
	m.buf, m.data = nil, nil
}
