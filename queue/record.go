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
	// ext holds what few records have (format 2); nil when it would be
	// empty, so a record without it costs one pointer, not 40 bytes.
	ext *recordExt
}

// recordExt is the part of a record that format 2 adds. It is never
// changed in place (setExt makes a new one): a copy of a record may share it.
type recordExt struct {
	disk    string    // the path as the file system spells it; never "" or Path
	missing time.Time // Done only: when a scan first did not find the file
}

// disk is the path as the file system spells it; "" means Path itself.
func (r *record) disk() string {
	if r.ext == nil {
		return ""
	}
	return r.ext.disk
}

// missing is when a full scan first did not find a done record's file;
// zero when the last scan found it.
func (r *record) missing() time.Time {
	if r.ext == nil {
		return time.Time{}
	}
	return r.ext.missing
}

// setExt sets the disk spelling and the missing mark.
func (r *record) setExt(disk string, missing time.Time) {
	if disk == "" && missing.IsZero() {
		r.ext = nil
		return
	}
	r.ext = &recordExt{disk: disk, missing: missing}
}

// The first byte of every record is its format. Encoding, format 1:
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
// Format 2 is format 1 followed by:
//
//	disk      uvarint length + bytes; "" when the disk spelling is Path
//	missing   8 + 4 bytes, as mtime; the zero time when not missing
//
// A record is written in format 1 when both are empty (byte for byte what
// schema version 1 wrote) and in format 2 otherwise; reading format 1
// gives Disk "" and a zero Missing (schema.go, version 2).
//
// Decoding is strict: a wrong format or state, a field out of range, a
// length past the end, or bytes left over make the record corrupt.
const (
	recordFormat1 = 1
	recordFormat2 = 2
)

const maxAttempts = 1<<31 - 1

// errCorrupt marks a record that could not be decoded.
var errCorrupt = errors.New("corrupt record")

func encodeRecord(r *record) []byte {
	format := byte(recordFormat1)
	if r.ext != nil {
		format = recordFormat2
	}
	b := make([]byte, 0, 80+len(r.Path)+len(r.LastError)+len(r.disk()))
	b = append(b, format, byte(r.State))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = appendTime(b, r.ModTime)
	b = binary.BigEndian.AppendUint32(b, uint32(min(max(r.Attempts, 0), maxAttempts)))
	b = appendTime(b, r.NotBefore)
	b = appendTime(b, r.At)
	b = appendString(b, r.Path)
	b = appendString(b, r.LastError)
	if format == recordFormat1 {
		return b
	}
	b = appendString(b, r.disk())
	return appendTime(b, r.missing())
}

// recordVersion is the schema version a stored record needs: 2 for a
// format-2 record, else 1 (schema.go, raiseVersion).
func recordVersion(val []byte) uint32 {
	if len(val) > 0 && val[0] == recordFormat2 {
		return 2
	}
	return 1
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
	f := d.byte()
	if f != recordFormat1 && f != recordFormat2 && d.err == nil {
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
	if f == recordFormat2 {
		d.format2(&r)
	}
	return r
}

// format2 reads the fields format 2 adds.
func (d *decoder) format2(r *record) {
	disk, missing := d.string(), d.time()
	if !missing.IsZero() && r.State != Done {
		d.fail("missing mark on a job that is not done")
	}
	if d.err == nil {
		r.setExt(disk, missing)
	}
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
