package queue

import (
	"reflect"
	"testing"
	"time"
)

func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(&record{Path: "_graded/a.mov", Size: 1 << 30, State: Done,
		ModTime: t0, At: t0, NotBefore: t0.Add(time.Hour), Attempts: 3, LastError: "503"}))
	f.Add(encodeRecord(&record{Path: "x", State: Gone}))
	f.Add([]byte{})
	f.Add([]byte{1, 2, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord([]byte("k"), data)
		if err != nil {
			return
		}
		again, err := decodeRecord([]byte("k"), encodeRecord(&r))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", r, again)
		}
	})
}
