package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// record is the durable part of a job: the value stored under its ID in the
// jobs bucket. A lease is never stored (see doc.go, crash safety).
type record struct {
	Path      string
	Size      int64
	ModTime   time.Time
	State     State // Queued, Done, Failed or Gone; never Active
	Attempts  int
	LastError string
	NotBefore time.Time // zero: due at once
	At        time.Time // when the record entered its state
}

// recordFormat is the first byte of every record. Encoding, format 1:
//
//	format    1 byte  (1)
//	state     1 byte  (Queued, Done, Failed or Gone)
//	size      8 bytes int64, big-endian, >= 0
//	mtime     8 bytes seconds (int64) + 4 bytes nanoseconds (uint32, < 1e9)
//	attempts  4 bytes uint32
//	notBefore 8 + 4 bytes, as mtime; the zero time when due at once
//	at        8 + 4 bytes, as mtime
//	path      uvarint length + bytes (length >= 1)
//	lastError uvarint length + bytes
//
// Decoding is strict: a wrong format or state, a field out of range, a
// length past the end, or bytes left over make the record corrupt.
const recordFormat = 1

const maxAttempts = 1<<31 - 1

// errCorrupt marks a record that could not be decoded.
var errCorrupt = errors.New("corrupt record")

func encodeRecord(r *record) []byte {
	b := make([]byte, 0, 64+len(r.Path)+len(r.LastError))
	b = append(b, recordFormat, byte(r.State))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = appendTime(b, r.ModTime)
	b = binary.BigEndian.AppendUint32(b, uint32(min(max(r.Attempts, 0), maxAttempts)))
	b = appendTime(b, r.NotBefore)
	b = appendTime(b, r.At)
	b = appendString(b, r.Path)
	return appendString(b, r.LastError)
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeRecord decodes the value stored under key; the error names the key.
func decodeRecord(key, val []byte) (record, error) {
	d := decoder{b: val}
	r := d.record()
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the last field", len(d.b))
	}
	if d.err != nil {
		return record{}, fmt.Errorf("job %x: %w", key, d.err)
	}
	return r, nil
}

// decoder reads fields in order and remembers the first error; later reads
// return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) record() record {
	var r record
	if f := d.byte(); f != recordFormat && d.err == nil {
		d.fail("unknown format %d", f)
	}
	r.State = State(d.byte())
	if r.State == Active || r.State < Queued || r.State > Gone {
		d.fail("bad state %d", r.State)
	}
	if r.Size = int64(d.uint64()); r.Size < 0 {
		d.fail("negative size %d", r.Size)
	}
	r.ModTime = d.time()
	r.Attempts = int(d.uint32())
	if r.Attempts > maxAttempts {
		d.fail("attempts %d out of range", r.Attempts)
	}
	r.NotBefore = d.time()
	r.At = d.time()
	if r.Path = d.string(); r.Path == "" {
		d.fail("empty path")
	}
	r.LastError = d.string()
	return r
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("truncated: want %d bytes, have %d", n, len(d.b))
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) uint32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if v := d.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) time() time.Time {
	sec := int64(d.uint64())
	nsec := d.uint32()
	if nsec >= 1e9 {
		d.fail("nanoseconds %d out of range", nsec)
	}
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) string() string {
	if d.err != nil {
		return ""
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail("bad length")
		return ""
	}
	d.b = d.b[k:]
	if n > uint64(len(d.b)) {
		d.fail("truncated: string of %d bytes, %d left", n, len(d.b))
		return ""
	}
	return string(d.take(int(n)))
}
