package queue

import (
	"encoding/binary"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenLockedFailsFast(t *testing.T) {
	path := dbPath(t)
	open(t, path, Options{})
	start := time.Now()
	q, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err == nil {
		_ = q.Close()
		t.Fatal("second Open succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("second Open took %v", took)
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v does not wrap ErrLocked", err)
	}
	want := "another odailies-uploader is using " + filepath.Dir(path)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestOpenFileMode(t *testing.T) {
	path := dbPath(t)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	open(t, path, Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("mode %v, want 0600", m)
	}
}

// TestOpenRejects: a file Open must refuse, with an error that says why.
func TestOpenRejects(t *testing.T) {
	put := func(bucket, key, val []byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, val) }
	}
	version := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	good := encodeRecord(&record{Path: "x", Size: 1, State: Queued})
	tests := []struct {
		name    string
		change  func(tx *bolt.Tx) error
		want    string
		damaged bool
	}{
		{"corrupt record", put(bucketJobs, idKey(7), []byte{1, 2, 3}), "job 0000000000000007: corrupt record", true},
		{"newer schema", put(bucketMeta, keyVersion, version(schemaVersion+1)), "newer than this uploader", false},
		{"bad version key", put(bucketMeta, keyVersion, []byte{1}), "schema version key", true},
		{"record without index", put(bucketJobs, idKey(9), good), "paths index", true},
		{"index without record", put(bucketPaths, []byte("y"), idKey(3)), "1 paths index entries for 0 jobs", true},
		{"bad paths value", put(bucketPaths, []byte("y"), []byte{3}), "paths index: job id 03", true},
		{"bad job key", put(bucketJobs, []byte("k"), good), "want 8 bytes", true},
		{"jobs bucket missing", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketJobs) }, "bucket jobs is missing", true},
		{"meta bucket missing", func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketMeta) }, "without a meta bucket", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := dbPath(t)
			q := open(t, path, Options{})
			if err := q.db.Update(tt.change); err != nil {
				t.Fatal(err)
			}
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			q, err := Open(path, Options{})
			if err == nil {
				_ = q.Close()
				t.Fatal("Open accepted the file")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if errors.Is(err, ErrDamaged) != tt.damaged {
				t.Errorf("error %q: errors.Is(ErrDamaged) = %v, want %v", err, !tt.damaged, tt.damaged)
			}
		})
	}
}

// TestOpenEmptyFile: a zero-byte file opens as a new queue, and says so.
func TestOpenEmptyFile(t *testing.T) {
	path := dbPath(t)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	q := open(t, path, Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	want := path + " was empty: every file will be uploaded again"
	if w := q.Warnings(); len(w) != 1 || w[0] != want {
		t.Errorf("Warnings() = %q, want [%q]", w, want)
	}
	if !strings.Contains(logged.String(), "level=WARN msg=\"queue file was empty: every file will be uploaded again\"") {
		t.Errorf("log does not warn:\n%s", logged.String())
	}
	enqueue(t, q, item("a", 1))
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = open(t, path, Options{})
	if w := q.Warnings(); w != nil {
		t.Errorf("reopened queue warns %q", w)
	}
	if c := q.Counts(); c.Queued != 1 {
		t.Errorf("counts after reopen %+v", c)
	}
}

func TestEnqueueRejectsBadItems(t *testing.T) {
	q := open(t, dbPath(t), Options{})
	bad := [][]Item{
		{item("ok", 1), {Path: "", Size: 1}},
		{{Path: "neg", Size: -1}},
		{{Path: strings.Repeat("a", bolt.MaxKeySize+1)}},
	}
	for _, items := range bad {
		if n, err := q.Enqueue(items); err == nil || n != 0 {
			t.Errorf("Enqueue(%.40v) = %d, %v; want an error", items, n, err)
		}
	}
	if c := q.Counts(); c != (Counts{}) {
		t.Errorf("a rejected batch changed the counts: %+v", c)
	}
}

func TestFailuresMostRecentFirst(t *testing.T) {
	clk := newClock()
	q := open(t, dbPath(t), Options{Now: clk.Now})
	enqueue(t, q, item("a", 1), item("b", 2), item("c", 3))
	for i, reason := range []string{"first", "second", "third"} {
		clk.Set(t0.Add(time.Duration(i) * time.Minute))
		if err := q.Fail(mustLease(t, q), reason); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.Failures(2)
	if err != nil {
		t.Fatal(err)
	}
	want := []Failure{
		{Path: "c", Error: "third", At: t0.Add(2 * time.Minute), Attempts: 1},
		{Path: "b", Error: "second", At: t0.Add(time.Minute), Attempts: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Failures = %+v", got)
	}
	for i := range want {
		if got[i].Path != want[i].Path || got[i].Error != want[i].Error ||
			!got[i].At.Equal(want[i].At) || got[i].Attempts != want[i].Attempts {
			t.Errorf("Failures[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
