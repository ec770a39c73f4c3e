package queue

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// record is the durable part of a job: the value stored under its ID in the
// jobs bucket. A lease is never stored (see doc.go, crash safety).
type record struct {
	Path    string
	Size    int64
	ModTime time.Time
	State   State // Queued, Done, Failed or Gone; never Active
	// The delivery's code and whether md5 holds the MD5 sent (format 3,
	// Done only), beside State in what would be padding.
	hasMD5   bool
	verified verifiedCode
	Attempts int
	At       time.Time // when the record entered its state; on a Done record, when it was uploaded
	// ext holds what few records have (format 2: the disk spelling and
	// the missing mark; format 3: an ETag that is not the MD5's hex;
	// format 4: the after-upload action; and, in every format, the last
	// error and the retry time, lastError and notBefore); nil when it
	// would be empty, so a record without it costs one pointer, not 112
	// bytes.
	ext *recordExt
	// md5 is the delivery's MD5 (with hasMD5). It is in the record, not
	// in ext: every done record has one, and 16 bytes here cost less
	// than an ext each.
	md5 [md5.Size]byte
}

// A first sync holds an entry (ready.go) per file, so its size is the
// queue's memory: 144 bytes, an allocator class (TestEntrySize; it was
// 192 with the last error and the retry time in the record, which only
// a job that failed an attempt has).

// recordExt is the part of a record that formats 2 to 4 add and few
// records have. It is never changed in place (setExt, setDelivery and
// setAct make a new one): a copy of a record may share it.
type recordExt struct {
	disk string // the path as the file system spells it; never "" or Path
	// The delivery's ETag (format 3, Done only), kept only when it is not
	// derived: with verified = VerifiedETag it is the MD5's hex, so "".
	etag string
	// The after-upload action (format 4, Done only; action.go); nil on a
	// record without one (keep), so it costs one pointer.
	act *actionExt
	// Why the last attempt failed (a done record's: why its action
	// failed or was skipped), and a queued job's retry time (zero: due
	// at once). Stored in every format, in format 1's fields.
	lastError string
	notBefore time.Time
	// Done only: when a scan first did not find the file (missing()), as
	// time.Unix's arguments, set only with hasMissing: 12 bytes, not a
	// 24-byte time.Time.
	missSec    int64
	missNsec   int32
	hasMissing bool
}

// verifiedCode is a Verification as stored: one byte.
type verifiedCode uint8

const (
	codeUnknown verifiedCode = iota // "": done before verification existed
	codeNone                        // VerifiedNone
	codeMD5                         // VerifiedContentMD5
	codeETag                        // VerifiedETag
	codeLimit                       // first invalid code
)

var verifiedNames = [codeLimit]Verification{"", VerifiedNone, VerifiedContentMD5, VerifiedETag}

func (c verifiedCode) verification() Verification { return verifiedNames[c] }

// codeOf returns v's stored code; ok is false for a value that is none of
// the Verification constants (nor "").
func codeOf(v Verification) (c verifiedCode, ok bool) {
	for i, n := range verifiedNames {
		if n == v {
			return verifiedCode(i), true
		}
	}
	return 0, false
}

// disk is the path as the file system spells it; "" means Path itself.
func (r *record) disk() string {
	if r.ext == nil {
		return ""
	}
	return r.ext.disk
}

// lastError is why the last attempt failed, or a done record's action.
func (r *record) lastError() string {
	if r.ext == nil {
		return ""
	}
	return r.ext.lastError
}

// notBefore is a queued job's retry time; zero when due at once.
func (r *record) notBefore() time.Time {
	if r.ext == nil {
		return time.Time{}
	}
	return r.ext.notBefore
}

// setLastError sets the last error; everything else is kept.
func (r *record) setLastError(s string) {
	if s == r.lastError() {
		return
	}
	var x recordExt
	if r.ext != nil {
		x = *r.ext
	}
	x.lastError = s
	r.putExt(x)
}

// setNotBefore sets the retry time (zero: due at once); everything else
// is kept.
func (r *record) setNotBefore(t time.Time) {
	if t.IsZero() && r.notBefore().IsZero() {
		return
	}
	var x recordExt
	if r.ext != nil {
		x = *r.ext
	}
	x.notBefore = t
	if t.IsZero() {
		x.notBefore = time.Time{} // a zero time of any location is the empty one
	}
	r.putExt(x)
}

// format2 reports whether the record has a field of format 2 (the disk
// spelling, the missing mark).
func (r *record) format2() bool {
	return r.ext != nil && (r.ext.disk != "" || r.ext.hasMissing)
}

// missing is when a full scan first did not find a done record's file;
// zero when the last scan found it.
func (r *record) missing() time.Time {
	if r.ext == nil || !r.ext.hasMissing {
		return time.Time{}
	}
	return time.Unix(r.ext.missSec, int64(r.ext.missNsec)).UTC()
}

// setExt sets the disk spelling and the missing mark; the delivery is kept.
func (r *record) setExt(disk string, missing time.Time) {
	var x recordExt
	if r.ext != nil {
		x = *r.ext
	}
	x.disk = disk
	x.missSec, x.missNsec, x.hasMissing = 0, 0, false
	if !missing.IsZero() {
		x.missSec, x.missNsec, x.hasMissing = missing.Unix(), int32(missing.Nanosecond()), true
	}
	r.putExt(x)
}

// setDelivery sets (or, with the zero value, clears) the delivery; the
// disk spelling and the missing mark are kept. Clearing the delivery
// clears the action too: only a delivered record has one.
func (r *record) setDelivery(d storedDelivery) {
	r.md5, r.hasMD5, r.verified = d.md5, d.hasMD5, d.verified
	var x recordExt
	if r.ext != nil {
		x = *r.ext
	}
	x.etag = d.etag
	if d == (storedDelivery{}) {
		x.act = nil
	}
	r.putExt(x)
}

// setAct sets (nil: clears) the action; everything else is kept.
func (r *record) setAct(a *actionExt) {
	var x recordExt
	if r.ext != nil {
		x = *r.ext
	}
	x.act = a
	r.putExt(x)
}

// act is the record's after-upload action; nil when there is none.
func (r *record) act() *actionExt {
	if r.ext == nil {
		return nil
	}
	return r.ext.act
}

// putExt stores x, or nil when x is empty.
func (r *record) putExt(x recordExt) {
	if x == (recordExt{}) {
		r.ext = nil
		return
	}
	r.ext = &x
}

// storedDelivery is the delivery part of recordExt.
type storedDelivery struct {
	etag     string
	md5      [md5.Size]byte
	hasMD5   bool
	verified verifiedCode
}

// delivery returns the stored delivery; the zero value when there is none.
func (r *record) delivery() storedDelivery {
	d := storedDelivery{md5: r.md5, hasMD5: r.hasMD5, verified: r.verified}
	if r.ext != nil {
		d.etag = r.ext.etag
	}
	return d
}

// present reports whether the record carries format 3's fields.
func (d storedDelivery) present() bool { return d != storedDelivery{} }

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
// Format 3 is format 2 followed by the delivery of a Done record:
//
//	verified  1 byte: 0 "" (not recorded), 1 "none", 2 "md5", 3 "md5+etag"
//	md5       uvarint length (0 or 16) + the digest of the bytes sent;
//	          16 whenever verified is 2 or 3
//	etag      uvarint length + bytes: the storage's ETag, quotes removed;
//	          "" when verified is 3 (it equals the MD5's hex)
//
// Format 4 is format 3 followed by the after-upload action of a Done
// record (action.go):
//
//	act       1 byte: the action in the high nibble (1 move, 2 delete),
//	          its state in the low one (1 pending, 2 done, 3 skipped,
//	          4 failed)
//	actAt     8 + 4 bytes, as mtime: when it reached its state; the zero
//	          time while pending
//	fileID    uvarint length (0 or 16) + the identity of the file the
//	          upload read (internal/fileid); 16 while pending or failed
//	dest      uvarint length + bytes: where a move put the file, relative
//	          to the watch root with "/" (absolute when outside it); ""
//	          unless moved
//
// Why an action failed or was skipped is the record's lastError.
//
// When it was uploaded is the record's at (a Done record enters its state
// then). A record is written in the lowest format that holds its fields:
// format 1 when it has none of them (byte for byte what schema version 1
// wrote), format 2 when it has a disk spelling or a missing mark only, and
// format 3 when it has a delivery, format 4 when it has an action. Reading format 1 gives Disk "" and a
// zero Missing, and formats 1 and 2 give no delivery: Verified ""
// (schema.go, versions 2 and 3).
//
// Decoding is strict: a wrong format or state, a field out of range, a
// length past the end, or bytes left over make the record corrupt.
const (
	recordFormat1 = 1
	recordFormat2 = 2
	recordFormat3 = 3
	recordFormat4 = 4
)

const maxAttempts = 1<<31 - 1

// errCorrupt marks a record that could not be decoded.
var errCorrupt = errors.New("corrupt record")

func encodeRecord(r *record) []byte {
	format := byte(recordFormat1)
	d := r.delivery()
	switch {
	case r.act() != nil:
		format = recordFormat4
	case d.present():
		format = recordFormat3
	case r.format2():
		format = recordFormat2
	}
	b := make([]byte, 0, 100+len(r.Path)+len(r.lastError())+len(r.disk())+len(d.etag))
	b = append(b, format, byte(r.State))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Size))
	b = appendTime(b, r.ModTime)
	b = binary.BigEndian.AppendUint32(b, uint32(min(max(r.Attempts, 0), maxAttempts)))
	b = appendTime(b, r.notBefore())
	b = appendTime(b, r.At)
	b = appendString(b, r.Path)
	b = appendString(b, r.lastError())
	if format == recordFormat1 {
		return b
	}
	b = appendString(b, r.disk())
	b = appendTime(b, r.missing())
	if format == recordFormat2 {
		return b
	}
	b = append(b, byte(d.verified))
	if d.hasMD5 {
		b = append(binary.AppendUvarint(b, md5.Size), d.md5[:]...)
	} else {
		b = binary.AppendUvarint(b, 0)
	}
	b = appendString(b, d.etag)
	if format == recordFormat3 {
		return b
	}
	return appendAct(b, r.act())
}

// recordVersion is the schema version a stored record needs: its format
// (2, 3 or 4), else 1 (schema.go, raiseVersion).
func recordVersion(val []byte) uint32 {
	if len(val) > 0 && val[0] >= recordFormat2 && val[0] <= recordFormat4 {
		return uint32(val[0])
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
	if (f < recordFormat1 || f > recordFormat4) && d.err == nil {
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
	notBefore := d.time()
	r.At = d.time()
	if r.Path = d.string(); r.Path == "" {
		d.fail("empty path")
	}
	lastError := d.string()
	if d.err == nil {
		r.setLastError(lastError)
		r.setNotBefore(notBefore)
	}
	if f >= recordFormat2 {
		d.format2(&r)
	}
	if f >= recordFormat3 {
		d.format3(&r)
	}
	if f == recordFormat4 {
		d.format4(&r)
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

// format3 reads the delivery format 3 adds.
func (d *decoder) format3(r *record) {
	var s storedDelivery
	s.verified = verifiedCode(d.byte())
	digest := d.string()
	s.etag = d.string()
	switch {
	case d.err != nil:
		return
	case r.State != Done:
		d.fail("delivery on a job that is not done")
	case s.verified >= codeLimit:
		d.fail("unknown verification %d", s.verified)
	case len(digest) != 0 && len(digest) != md5.Size:
		d.fail("md5 of %d bytes", len(digest))
	case len(digest) == 0 && (s.verified == codeMD5 || s.verified == codeETag):
		d.fail("verified %q without an md5", s.verified.verification())
	case s.verified == codeETag && s.etag != "":
		d.fail("etag stored for %q", s.verified.verification())
	}
	s.hasMD5 = copy(s.md5[:], digest) == md5.Size
	if !s.present() {
		d.fail("format 3 without a delivery")
	}
	if d.err == nil {
		r.setDelivery(s)
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
