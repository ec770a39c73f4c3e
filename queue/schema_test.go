package queue

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// writeVersion1File writes path as the uploader of schema version 1 left
// it: the three buckets, version 1, and one done record (recordV1).
func writeVersion1File(t *testing.T, path string) {
	t.Helper()
	val, err := hex.DecodeString(recordV1)
	if err != nil {
		t.Fatal(err)
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
		return errors.Join(
			tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint32(nil, 1)),
			tx.Bucket(bucketJobs).Put(idKey(1), val),
			tx.Bucket(bucketPaths).Put(pathKey(recordV1Want().Path), idKey(1)),
			tx.Bucket(bucketJobs).SetSequence(1),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// fileVersion reads the schema version of a closed file.
func fileVersion(t *testing.T, path string) uint32 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var v uint32
	if err := db.View(func(tx *bolt.Tx) (err error) { v, err = storedVersion(tx.Bucket(bucketMeta)); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenVersion1File: a queue.db of schema version 1 opens without a
// byte written, its records read with no disk spelling and no missing
// mark; the version key is raised to 2 by the first write of a record
// that needs it, and not before.
func TestOpenVersion1File(t *testing.T) {
	path := dbPath(t)
	writeVersion1File(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	q := open(t, path, Options{})
	if c := q.Counts(); c.Done != 1 || c.Missing != 0 {
		t.Errorf("counts %+v", c)
	}
	if e := q.byPath[recordV1Want().Path]; e.format2() {
		t.Errorf("Disk %q, Missing %v; want absent", e.disk(), e.missing())
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("Open and Close changed the file (%v)", err)
	}

	q = open(t, path, Options{})
	enqueue(t, q, item("_graded/plain.mov", 1)) // a format-1 record
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != 1 {
		t.Errorf("version %d after writing only format-1 records, want 1", v)
	}

	q = open(t, path, Options{})
	it := Item{Path: recordV1Want().Path, Disk: "_graded/cafe\u0301.mov", Size: 1 << 30, ModTime: recordV1Want().ModTime}
	if n := enqueue(t, q, it); n != 0 {
		t.Errorf("re-enqueue of a done version added %d", n)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != 2 {
		t.Errorf("version %d after writing a disk spelling, want 2", v)
	}
	q = open(t, path, Options{})
	if e := q.byPath[it.Path]; e.disk() != it.Disk || e.State != Done {
		t.Errorf("after reopen: state %d Disk %q", e.State, e.disk())
	}
}

// TestNewFileVersion: a new file starts at version 1, the oldest that
// reads it, so an older uploader can still open it.
func TestNewFileVersion(t *testing.T) {
	path := dbPath(t)
	q := open(t, path, Options{})
	enqueue(t, q, item(pathA, 1))
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileVersion(t, path); v != baseVersion {
		t.Errorf("new file at version %d, want %d", v, baseVersion)
	}
}
