package queue

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"
	"time"
)

func FuzzDecodeRecord(f *testing.F) {
	retried := record{Path: "_graded/a.mov", Size: 1 << 30, State: Done, ModTime: t0, At: t0, Attempts: 3}
	retried.setLastError("503")
	retried.setNotBefore(t0.Add(time.Hour))
	f.Add(encodeRecord(&retried))
	f.Add(encodeRecord(&record{Path: "x", State: Gone}))
	f.Add(encodeRecord(extRecord(record{Path: "_graded/café.mov", State: Queued}, "_graded/cafe\u0301.mov", time.Time{})))
	f.Add(encodeRecord(extRecord(record{Path: "_graded/a.mov", Size: 9, State: Done, ModTime: t0, At: t0},
		"_graded/A.mov", t0.Add(time.Minute))))
	f.Add(encodeRecord(extRecord(record{Path: "y", State: Done}, "", t0)))
	f.Add([]byte{})
	f.Add([]byte{1, 2, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord([]byte("k"), data)
		if err != nil {
			return
		}
		b := encodeRecord(&r)
		if plain := r.disk() == "" && r.missing().IsZero(); plain != (b[0] == recordFormat1) {
			t.Fatalf("record %+v encoded in format %d", r, b[0])
		}
		again, err := decodeRecord([]byte("k"), b)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", r, again)
		}
	})
}

// FuzzOpenDamaged damages a small valid queue.db (patch written at off,
// then the file cut to cut bytes when cut > 0) and checks that Open, and
// then Counts, Failures, Lease, Done, Enqueue and Close, never panic: each
// works or returns an error.
func FuzzOpenDamaged(f *testing.F) {
	sample := dbPath(f)
	good := sampleFile(f, sample, 60)
	page := func(typ string) uint32 { return uint32(pageOf(f, sample, typ) * os.Getpagesize()) }
	ff := bytes.Repeat([]byte{0xff}, 8)
	f.Add(uint32(0), []byte(nil), uint32(0))
	f.Add(uint32(16), bytes.Repeat([]byte{7}, 64), uint32(0))
	f.Add(uint32(os.Getpagesize()+56), ff, uint32(0))
	f.Add(page("freelist"), bytes.Repeat([]byte{9}, 4096), uint32(0))
	f.Add(page("freelist")+10, []byte{0xff, 0xff}, uint32(0))
	f.Add(page("leaf")+16, ff, uint32(0))
	f.Add(page("leaf")+24, []byte{0, 0, 0, 1}, uint32(0))
	f.Add(page("branch")+16+8, ff, uint32(0))
	f.Add(uint32(0), []byte(nil), uint32(len(good)/2))
	f.Add(uint32(0), []byte(nil), uint32(8192))
	f.Add(uint32(0), []byte(nil), uint32(100))
	f.Fuzz(func(t *testing.T, off uint32, patch []byte, cut uint32) {
		b := bytes.Clone(good)
		copy(b[int(off)%len(b):], patch)
		if cut > 0 {
			b = b[:int(cut)%len(b)]
		}
		path := dbPath(t)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		useDamaged(t, path)
	})
}

// useDamaged opens a possibly damaged file and works it a little.
func useDamaged(t *testing.T, path string) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	q, err := Open(path, Options{Timeout: 100 * time.Millisecond, Now: newClock().Now, blocked: cancel})
	if err != nil {
		return
	}
	defer func() { _ = q.Close() }()
	_ = q.Counts()
	_, _ = q.Failures(0)
	if j, err := q.Lease(ctx, LeaseOptions{}); err == nil {
		_ = q.Done(j, testDelivery)
	}
	_, _ = q.Enqueue([]Item{item("_graded/new.mov", 1)})
	_ = q.Close()
}
