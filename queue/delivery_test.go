package queue

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Records as schema version 2 wrote them, made by the encoder of that
// version: recordV2Done is recordV1Want() with the disk spelling
// "_graded/cafe\u0301.mov" and marked missing at t0+2h; recordV2Queued is
// _graded/b.mov (5 bytes, mtime t0, queued at t0) on disk as
// "_graded/b.mov.nfd".
const (
	recordV2Done = "02030000000040000000000000006b0946911dcd650000000002fffffff1886e0900000000" +
		"00000000006b0954a000000000115f6772616465642f636166c3a92e6d6f7603353033125f" +
		"6772616465642f63616665cc812e6d6f76000000006b0962b000000000"
	recordV2Queued = "02010000000000000005000000006b0946900000000000000000fffffff1886e0900000000" +
		"00000000006b094690000000000d5f6772616465642f622e6d6f7600115f6772616465642f" +
		"622e6d6f762e6e6664fffffff1886e090000000000"
)

// writeVersion2File writes path as the uploader of schema version 2 left
// it: version 2, a done record with a disk spelling and a missing mark
// (ID 1), and a queued one (ID 2).
func writeVersion2File(t *testing.T, path string) {
	t.Helper()
	recs := []struct{ hex, path string }{
		{recordV2Done, recordV1Want().Path},
		{recordV2Queued, "_graded/b.mov"},
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketJobs, bucketPaths} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		errs := []error{tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 2))}
		for i, r := range recs {
			val, err := hex.DecodeString(r.hex)
			errs = append(errs, err,
				tx.Bucket(bucketJobs).Put(idKey(uint64(i+1)), val),
				tx.Bucket(bucketPaths).Put(pathKey(r.path), idKey(uint64(i+1))))
		}
		return errors.Join(append(errs, tx.Bucket(bucketJobs).SetSequence(uint64(len(recs))))...)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenVersion2File: a queue.db of schema version 2 opens without a
// byte written; its done record reads Verified "" (uploaded before
// verification existed) with its disk spelling and missing mark; the
// first Done raises the version key to 3, and both records read back.
func TestOpenVersion2File(t *testing.T) {
	path := dbPath(t)
	writeVersion2File(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	q := open(t, path, Options{})
	old := recordV1Want()
	wantOld := Delivered{Path: old.Path, Size: old.Size, ModTime: old.ModTime, Delivery: Delivery{UploadedAt: old.At}}
	c := q.Counts()
	if c.Done != 1 || c.Missing != 1 || c.Queued != 1 || c.Verified != (VerifiedCounts{Unknown: 1}) {
		t.Errorf("counts %+v", c)
	}
	if got := delivered(t, q, time.Time{}, ""); !reflect.DeepEqual(got, []Delivered{wantOld}) {
		t.Errorf("Delivered %+v, want %+v", got, wantOld)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("Open and Close changed the file (%v)", err)
	}

	q = open(t, path, Options{Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	j := mustLease(t, q)
	if j.Path != "_graded/b.mov" || j.Disk != "_graded/b.mov.nfd" {
		t.Fatalf("leased %+v", j)
	}
	d := Delivery{MD5: "9a0364b9e99bb480dd25e1f0284c8555", Verified: VerifiedContentMD5, ETag: "1b2cf535f27731c974343645a3985328-3"}
	if err := q.Done(j, d); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != 3 {
		t.Errorf("version %d after a Done, want 3", v)
	}

	q = open(t, path, Options{})
	d.UploadedAt = t0.Add(3 * time.Hour)
	want := []Delivered{{Path: j.Path, Size: j.Size, ModTime: j.ModTime, Delivery: d}, wantOld}
	if got := delivered(t, q, time.Time{}, ""); !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen: Delivered\n%+v\nwant\n%+v", got, want)
	}
	if e := q.byPath[old.Path]; e.disk() != "_graded/cafe\u0301.mov" || !e.missing().Equal(t0.Add(2*time.Hour)) {
		t.Errorf("old record lost its disk spelling or missing mark: %q %v", e.disk(), e.missing())
	}
	if c := q.Counts(); c.Verified != (VerifiedCounts{ContentMD5: 1, Unknown: 1}) {
		t.Errorf("verified counts %+v", c.Verified)
	}
}

func delivered(t *testing.T, q *Queue, since time.Time, prefix string) []Delivered {
	t.Helper()
	got, err := q.Delivered(since, prefix)
	if err != nil {
		t.Fatalf("Delivered: %v", err)
	}
	return got
}

// TestDeliveryRecordRoundTrip: every Verification, with and without the
// format-2 fields, survives encode and decode as format 3, and Delivered
// gives back what Done was given (the ETag of "md5+etag" is derived).
func TestDeliveryRecordRoundTrip(t *testing.T) {
	sum := "5d41402abc4b2a76b9719d911017c592"
	tests := map[string]Delivery{
		"etag":          {MD5: sum, ETag: sum, Verified: VerifiedETag},
		"etag in caps":  {MD5: sum, ETag: "5D41402ABC4B2A76B9719D911017C592", Verified: VerifiedETag},
		"multipart":     {MD5: sum, ETag: "0f343b0931126a20f133d67c2b018a3b-3", Verified: VerifiedContentMD5},
		"no etag":       {MD5: sum, Verified: VerifiedContentMD5},
		"none":          {ETag: "opaque", Verified: VerifiedNone},
		"none with md5": {MD5: sum, Verified: VerifiedNone},
	}
	for name, d := range tests {
		for _, ext := range []bool{false, true} {
			r := recordV1Want()
			if ext {
				r.setExt("_graded/cafe\u0301.mov", t0.Add(time.Hour))
			}
			s, err := storeDelivery(d)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r.setDelivery(s)
			b := encodeRecord(&r)
			if b[0] != recordFormat3 || recordVersion(b) != 3 {
				t.Errorf("%s: format %d, needs version %d; want 3", name, b[0], recordVersion(b))
			}
			got, err := decodeRecord([]byte("k"), b)
			if err != nil {
				t.Fatalf("%s: decode: %v", name, err)
			}
			if !reflect.DeepEqual(got, r) {
				t.Errorf("%s: round trip\n%+v\nwant\n%+v", name, got, r)
			}
			e := entry{record: got}
			want := d
			if d.Verified == VerifiedETag {
				want.ETag = sum
			}
			if dd := e.delivered().Delivery; dd != (Delivery{MD5: want.MD5, ETag: want.ETag, Verified: want.Verified, UploadedAt: r.At}) {
				t.Errorf("%s: delivered %+v, want %+v", name, dd, want)
			}
		}
	}
}

// TestDecodeRejectsFormat3: format 3 is as strict as the others.
func TestDecodeRejectsFormat3(t *testing.T) {
	base := func(state State, verified byte, md5 []byte, etag string) []byte {
		r := recordV1Want()
		r.State = state
		r.setExt("", time.Time{})
		b := encodeRecord(&r)
		b[0] = recordFormat3
		b = appendTime(appendString(b, ""), time.Time{})
		b = append(b, verified)
		b = appendString(b, string(md5))
		return appendString(b, etag)
	}
	plain := recordV1Want()
	plain3 := append(encodeRecord(&plain), byte(codeNone), 0, 0)
	plain3[0] = recordFormat3
	sum := bytes.Repeat([]byte{7}, 16)
	good := base(Done, byte(codeETag), sum, "")
	if _, err := decodeRecord([]byte("k"), good); err != nil {
		t.Fatalf("the well-formed record: %v", err)
	}
	tests := map[string][]byte{
		"cut in the etag":         good[:len(good)-1],
		"cut in the md5":          base(Done, byte(codeMD5), sum, "")[:len(good)-5],
		"bytes after the last":    append(append([]byte(nil), good...), 0),
		"unknown format 4":        append([]byte{4}, good[1:]...),
		"delivery on queued":      base(Queued, byte(codeNone), nil, ""),
		"delivery on failed":      base(Failed, byte(codeMD5), sum, ""),
		"unknown verification":    base(Done, byte(codeLimit), sum, ""),
		"md5 of 15 bytes":         base(Done, byte(codeMD5), sum[:15], ""),
		"md5 verified, no md5":    base(Done, byte(codeMD5), nil, "x-1"),
		"etag verified, no md5":   base(Done, byte(codeETag), nil, ""),
		"etag stored for md5+etg": base(Done, byte(codeETag), sum, "07070707070707070707070707070707"),
		"format 3, no delivery":   base(Done, byte(codeUnknown), nil, ""),
		"format 2 fields missing": plain3,
	}
	for name, b := range tests {
		if _, err := decodeRecord([]byte("k"), b); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: err = %v, want corrupt", name, err)
		}
	}
}

// TestDoneRefusesBadDelivery: Done refuses a delivery that claims what its
// fields do not support, and the lease still holds for a good one.
func TestDoneRefusesBadDelivery(t *testing.T) {
	q := open(t, dbPath(t), Options{})
	enqueue(t, q, item(pathA, 1))
	j := mustLease(t, q)
	sum := "5d41402abc4b2a76b9719d911017c592"
	bad := map[string]Delivery{
		"no verification":      {MD5: sum, ETag: sum},
		"unknown verification": {MD5: sum, Verified: "sha256"},
		"md5 too short":        {MD5: sum[:30], Verified: VerifiedContentMD5},
		"md5 too long":         {MD5: sum + "00", Verified: VerifiedContentMD5},
		"md5 not hex":          {MD5: "zz" + sum[2:], Verified: VerifiedContentMD5},
		"md5 verified, no md5": {ETag: sum, Verified: VerifiedContentMD5},
		"etag differs":         {MD5: sum, ETag: "00" + sum[2:], Verified: VerifiedETag},
	}
	for name, d := range bad {
		if err := q.Done(j, d); !errors.Is(err, ErrDelivery) {
			t.Errorf("%s: err = %v, want ErrDelivery", name, err)
		}
	}
	if err := q.Done(j, Delivery{MD5: sum, Verified: VerifiedContentMD5}); err != nil {
		t.Fatalf("good delivery after refused ones: %v", err)
	}
}

// TestDeliveredFilters: Delivered lists done records only, in path order,
// by upload time and prefix; the delivery survives an Enqueue of its
// version with a new spelling and a missing mark, and a new version of
// the file has none until its own Done.
func TestDeliveredFilters(t *testing.T) {
	now := t0
	q := open(t, dbPath(t), Options{Now: func() time.Time { return now }})
	sum := "5d41402abc4b2a76b9719d911017c592"
	paths := []string{"_graded/Day03/b.mov", "_graded/Day02/a.mov", "_thumbnails/Day03/b.jpg", "_graded/Day03/a.mov"}
	for i, p := range paths {
		enqueue(t, q, item(p, int64(i+1)))
		now = t0.Add(time.Duration(i) * time.Hour)
		j := mustLease(t, q)
		verified := []Verification{VerifiedETag, VerifiedContentMD5, VerifiedNone, VerifiedETag}[i]
		d := Delivery{MD5: sum, ETag: sum, Verified: verified}
		if i == 3 {
			d.UploadedAt = t0.Add(10 * time.Hour) // the uploader's clock, not the queue's
		}
		if err := q.Done(j, d); err != nil {
			t.Fatal(err)
		}
	}
	enqueue(t, q, item("_graded/Day03/queued.mov", 9))
	names := func(ds []Delivered) (out []string) {
		for _, d := range ds {
			out = append(out, d.Path)
		}
		return out
	}
	tests := []struct {
		since  time.Time
		prefix string
		want   []string
	}{
		{time.Time{}, "", []string{"_graded/Day02/a.mov", "_graded/Day03/a.mov", "_graded/Day03/b.mov", "_thumbnails/Day03/b.jpg"}},
		{time.Time{}, "_graded/Day03/", []string{"_graded/Day03/a.mov", "_graded/Day03/b.mov"}},
		{t0.Add(time.Hour), "", []string{"_graded/Day02/a.mov", "_graded/Day03/a.mov", "_thumbnails/Day03/b.jpg"}},
		{t0.Add(2*time.Hour + 1), "_graded/", []string{"_graded/Day03/a.mov"}},
		{t0.Add(11 * time.Hour), "", nil},
		{time.Time{}, "_none/", nil},
	}
	for _, tt := range tests {
		if got := names(delivered(t, q, tt.since, tt.prefix)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Delivered(%v, %q) = %q, want %q", tt.since, tt.prefix, got, tt.want)
		}
	}
	if got := delivered(t, q, t0.Add(10*time.Hour), ""); len(got) != 1 || !got[0].UploadedAt.Equal(t0.Add(10*time.Hour)) {
		t.Errorf("UploadedAt from the Delivery: %+v", got)
	}
	if c := q.Counts().Verified; c != (VerifiedCounts{ETag: 2, ContentMD5: 1, None: 1}) {
		t.Errorf("verified counts %+v", c)
	}

	// The same version seen under another spelling, then missing: kept.
	it := item(paths[0], 1)
	it.Disk = paths[0] + ".nfd"
	enqueue(t, q, it)
	if _, err := q.Prune(func(string) bool { return false }, []string{"_graded"}); err != nil {
		t.Fatal(err)
	}
	got := delivered(t, q, time.Time{}, paths[0])
	if len(got) != 1 || got[0].Verified != VerifiedETag || got[0].MD5 != sum || q.byPath[paths[0]].disk() != it.Disk {
		t.Errorf("after a new spelling and a prune: %+v (disk %q)", got, q.byPath[paths[0]].disk())
	}

	// A new version is a new job: no delivery until its own Done.
	enqueue(t, q, item(paths[0], 100))
	if got := delivered(t, q, time.Time{}, paths[0]); got != nil {
		t.Errorf("a new version queued: Delivered %+v", got)
	}
	if c := q.Counts().Verified; c != (VerifiedCounts{ETag: 1, ContentMD5: 1, None: 1}) {
		t.Errorf("verified counts after a new version %+v", c)
	}
}
