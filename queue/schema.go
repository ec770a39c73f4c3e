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
// the record encoding changes in a way an older binary cannot read. Open
// compares the stored version with schemaVersion:
//
//   - no version key (a new file): the buckets are created and the version
//     is written, in one transaction;
//   - equal: nothing to do;
//   - lower: each step migrations[v] (v = stored version … schemaVersion-1)
//     runs in order inside one Update together with the new version key, so
//     a crash leaves either the old or the new schema, never a mix;
//   - higher: the file was written by a newer uploader; Open fails rather
//     than guess, and never rewrites it.
//
// A record carries its own format byte as well (record.go), so a change
// that only adds a field can be read lazily without a schema step.

// schemaVersion is the version this binary writes and reads.
const schemaVersion uint32 = 1

var (
	bucketMeta  = []byte("meta")
	bucketJobs  = []byte("jobs")
	bucketPaths = []byte("paths")

	keyVersion = []byte("version")
)

// migrations[v] upgrades a file from schema version v to v+1. There are
// none yet: version 1 is the first schema.
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
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, schemaVersion)
	return meta.Put(keyVersion, b)
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
		if v == schemaVersion && tx.Bucket(name) == nil {
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

// migrate runs the steps from version v (0 for a new file) to schemaVersion.
func migrate(tx *bolt.Tx, v uint32) error {
	if v == 0 {
		return nil // a new file: the buckets are created at the current version
	}
	steps := migrations()
	for ; v < schemaVersion; v++ {
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
