package queue

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"
)

// recordV1 is a done record as schema version 1 (before Disk and Missing)
// wrote it: _graded/café.mov, 1 GiB, mtime t0+1.5s, attempts 2, error
// "503", no retry time, at t0+1h. Made by the encoder of that version.
const recordV1 = "01030000000040000000000000006b0946911dcd650000000002fffffff1886e0900000000" +
	"00000000006b0954a000000000115f6772616465642f636166c3a92e6d6f7603353033"

func recordV1Want() record {
	r := record{Path: "_graded/café.mov", Size: 1 << 30, ModTime: t0.Add(1500 * time.Millisecond),
		State: Done, Attempts: 2, At: t0.Add(time.Hour)}
	r.setLastError("503")
	return r
}

// TestDecodeVersion1Record: a record written before the disk spelling and
// the missing mark existed decodes with both absent ("" and zero), and a
// record without them is still written byte for byte as version 1 did.
func TestDecodeVersion1Record(t *testing.T) {
	b, err := hex.DecodeString(recordV1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeRecord([]byte("k"), b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if want := recordV1Want(); !reflect.DeepEqual(r, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", r, want)
	}
	if r.disk() != "" || !r.missing().IsZero() || r.format2() {
		t.Errorf("Disk %q, Missing %v; want absent", r.disk(), r.missing())
	}
	if got := hex.EncodeToString(encodeRecord(&r)); got != recordV1 {
		t.Errorf("re-encoded as\n%s\nwant\n%s", got, recordV1)
	}
}

// TestRecordRoundTrip: each combination of the format-2 fields survives
// encode and decode, in the format the encoder picks for it.
func TestRecordRoundTrip(t *testing.T) {
	nfd := "_graded/cafe\u0301.mov"
	tests := []struct {
		name   string
		change func(r *record)
		format byte
	}{
		{"neither", func(*record) {}, recordFormat1},
		{"disk", func(r *record) { r.setExt(nfd, time.Time{}) }, recordFormat2},
		{"missing", func(r *record) { r.setExt("", t0.Add(3*time.Hour)) }, recordFormat2},
		{"both", func(r *record) { r.setExt(nfd, t0.Add(time.Nanosecond)) }, recordFormat2},
		{"disk on a queued job", func(r *record) { r.State = Queued; r.setExt(nfd, time.Time{}) }, recordFormat2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := recordV1Want()
			tt.change(&r)
			b := encodeRecord(&r)
			if b[0] != tt.format {
				t.Errorf("format %d, want %d", b[0], tt.format)
			}
			if v := recordVersion(b); v != uint32(tt.format) {
				t.Errorf("needs schema version %d, want %d", v, tt.format)
			}
			got, err := decodeRecord([]byte("k"), b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, r) {
				t.Errorf("round trip\n%+v\nwant\n%+v", got, r)
			}
		})
	}
}

// TestDecodeRejectsFormat2: format 2 is as strict as format 1.
func TestDecodeRejectsFormat2(t *testing.T) {
	r := recordV1Want()
	r.setExt("_graded/cafe\u0301.mov", t0)
	good := encodeRecord(&r)
	plain := recordV1Want()
	short := encodeRecord(&plain)
	short[0] = recordFormat2 // a format-2 byte on a record without its fields
	plain.State = Queued
	queued := encodeRecord(&plain)
	queued[0] = recordFormat2
	queued = appendTime(appendString(queued, ""), t0) // marked missing
	tests := map[string][]byte{
		"cut in the missing time":     good[:len(good)-3],
		"cut in the disk spelling":    good[:len(good)-15],
		"bytes after the last":        append(append([]byte(nil), good...), 0),
		"unknown format 3":            append([]byte{3}, good[1:]...),
		"format 2 without its fields": short,
		"missing mark, not done":      queued,
	}
	for name, b := range tests {
		if _, err := decodeRecord([]byte("k"), b); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: err = %v, want corrupt", name, err)
		}
	}
}
