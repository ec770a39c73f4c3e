package queue

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// This file is the whole on-disk schema: every bucket, every key format and
// the rule for changing them. Nothing else in the package names a bucket.
//
// Buckets (all at the top level):
//
//	meta   "version" → uint32, big-endian: the schema version of the file.
//	jobs   job ID (uint64, big-endian, 8 bytes) → one record (record.go).
//	       IDs come from the bucket's sequence (NextSequence semantics: the
//	       bucket sequence is the highest ID ever handed out), so key order
//	       is enqueue order and a cursor walks the queue FIFO.
//	       The jobs bucket sequence is raised in the same transaction that
//	       writes the record, so an ID is never reused after a restart.
//	paths  relative path (raw bytes of the slash-separated path) → job ID
//	       (uint64, big-endian). Exactly one job per path: the latest
//	       version. Every jobs record has one paths entry and the other way
//	       round; Open checks this and refuses a file where it fails.
//
// Migration rule: schemaVersion is raised whenever a bucket, a key format or
// the record encoding changes in a way an older binary cannot read. Such a
// change is one of two kinds:
//
//   - additive: only optional fields are added, each with a stated meaning
//     when absent, so every record of the older version is a record of the
//     new one. A file is not migrated: it is read as it is, and its version
//     key is raised by the first transaction that writes something only the
//     new version can read (raiseVersion), in that same transaction. A file
//     thus carries the oldest version that can read it: an older uploader
//     opens it while nothing newer was written, and after that refuses it as
//     "newer" (never as damaged). A new file is created at baseVersion.
//   - rewriting: migrations[v] upgrades a file from v to v+1 at Open, and
//     v+1 becomes baseVersion.
//
// Open compares the stored version with these:
//
//   - no version key (a new file): the buckets are created and baseVersion
//     is written, in one transaction;
//   - baseVersion … schemaVersion: read as it is; nothing is written;
//   - lower: each step migrations[v] (v = stored version … baseVersion-1)
//     runs in order inside one Update together with the new version key, so
//     a crash leaves either the old or the new schema, never a mix;
//   - higher: the file was written by a newer uploader; Open fails rather
//     than guess, and never rewrites it.
//
// Versions:
//
//	1  records in format 1 (record.go).
//	2  additive: records in format 1 or 2. Format 2 adds two fields, absent
//	   from format 1 and from every file of version 1:
//	     disk     the path as the file system spells it (NFD, or NFC and
//	              NFD mixed); absent = "": the same as the path.
//	     missing  on a done record, when a full scan first did not find its
//	              file (Prune); absent = the zero time: not missing.
//	   A record without either is still written in format 1, so the
//	   version key reads 2 only once a file has held a disk spelling or a
//	   missing mark (it is never lowered again).
//	3  additive: records in format 1, 2 or 3. Format 3 adds, on a Done
//	   record, its delivery: how the upload was verified, the MD5 of the
//	   bytes sent and the storage's ETag (when it was uploaded is the
//	   record's at, as before). Absent from formats 1 and 2 and from every
//	   file of versions 1 and 2: such a done record reads Verified ""
//	   (uploaded before verification existed), no MD5, no ETag. Every Done
//	   this binary records has a delivery, so the version key reads 3 from
//	   the first upload finished by it.
//	4  additive: records in format 1, 2, 3 or 4. Format 4 adds, on a Done
//	   record, its after-upload action (watch.after_upload, action.go):
//	   move or delete, its state (pending, done, skipped, failed), when it
//	   reached it, the identity of the file the upload read (while the
//	   action is still to be carried out) and where a move put the file.
//	   Absent from formats 1 to 3 and from every file of versions 1 to 3:
//	   such a done record has no action (keep). The record is written in
//	   format 4 in the same commit as its Done, so an action is pending on
//	   disk before it is carried out; with after_upload = "keep" nothing
//	   is ever written in format 4 and the version key stays 3.
//
// A record carries its own format byte as well (record.go), so a reader
// knows which fields follow.

// schemaVersion is the newest version this binary reads and writes.
const schemaVersion uint32 = 4

// baseVersion is the oldest version read without a migration step, and
// the version of a new file: every version after it is additive.
const baseVersion uint32 = 1

var (
	bucketMeta  = []byte("meta")
	bucketJobs  = []byte("jobs")
	bucketPaths = []byte("paths")

	keyVersion = []byte("version")
)

// migrations[v] upgrades a file from schema version v to v+1 at Open.
// There are none: version 1 is the first schema, and 2 to 4 are additive.
func migrations() map[uint32]func(tx *bolt.Tx) error {
	return map[uint32]func(tx *bolt.Tx) error{}
}

// idKey encodes a job ID as a jobs key or a paths value.
func idKey(id uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, id)
	return b
}

// parseID decodes a jobs key or a paths value.
func parseID(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("job id %x: want 8 bytes, have %d", b, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// pathKey is the paths bucket key for a relative path.
func pathKey(path string) []byte { return []byte(path) }

// prepareSchema creates the buckets of a new file, checks the version of an
// existing one and runs the migrations it needs.
func prepareSchema(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketMeta, err)
	}
	v, err := storedVersion(meta)
	if err != nil {
		return err
	}
	if v > schemaVersion {
		return newerSchema(v)
	}
	if err := migrate(tx, v); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketJobs, bucketPaths} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return putVersion(meta, baseVersion)
}

func putVersion(meta *bolt.Bucket, v uint32) error {
	if err := meta.Put(keyVersion, binary.BigEndian.AppendUint32(nil, v)); err != nil {
		return fmt.Errorf("write schema version %d: %w", v, err)
	}
	return nil
}

// raiseVersion raises the stored version to need when it is lower: the
// transaction writes a record only version need can read (the additive
// rule above).
func raiseVersion(tx *bolt.Tx, need uint32) error {
	meta := tx.Bucket(bucketMeta)
	v, err := storedVersion(meta)
	if err != nil || v >= need {
		return err
	}
	return putVersion(meta, need)
}

func newerSchema(v uint32) error {
	return fmt.Errorf("schema version %d is newer than this uploader's %d: use a newer uploader", v, schemaVersion)
}

// schemaState reads the stored version without writing: 0 for a new file
// (no buckets at all). A file that has some of the buckets but not all, or
// a meta bucket without a version, is damaged: treating it as new would
// silently forget every job.
func schemaState(tx *bolt.Tx) (uint32, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			return fmt.Errorf("bucket %q without a meta bucket", name)
		}); err != nil {
			return 0, err
		}
		return 0, nil
	}
	v, err := storedVersion(meta)
	if err != nil || v == 0 {
		return 0, cmp.Or(err, errors.New("meta bucket without a schema version"))
	}
	for _, name := range [][]byte{bucketJobs, bucketPaths} {
		if v >= baseVersion && v <= schemaVersion && tx.Bucket(name) == nil {
			return 0, fmt.Errorf("bucket %s is missing", name)
		}
	}
	return v, nil
}

// storedVersion reads the version key; 0 means a new file.
func storedVersion(meta *bolt.Bucket) (uint32, error) {
	b := meta.Get(keyVersion)
	if b == nil {
		return 0, nil
	}
	if len(b) != 4 {
		return 0, fmt.Errorf("schema version key: want 4 bytes, have %d", len(b))
	}
	return binary.BigEndian.Uint32(b), nil
}

// migrate runs the steps from version v (0 for a new file) to baseVersion.
func migrate(tx *bolt.Tx, v uint32) error {
	if v == 0 {
		return nil // a new file: the buckets are created at baseVersion
	}
	steps := migrations()
	for ; v < baseVersion; v++ {
		step, ok := steps[v]
		if !ok {
			return fmt.Errorf("no migration from schema version %d", v)
		}
		if err := step(tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}
