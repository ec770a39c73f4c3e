package queue

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Open opens or creates the queue database at path (mode 0600), releases
// leases left by a process that died, and loads the ready index. If another
// process holds the file, Open fails after opts.Timeout with an error that
// wraps ErrLocked. A damaged file makes it fail with an error that wraps
// ErrDamaged, after keeping a copy of the file as found (doc.go, Damage).
// An empty file is opened as a new queue and reported by Warnings.
func Open(path string, opts Options) (*Queue, error) {
	q, err := openQueue(path, withDefaults(opts))
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", path, err)
	}
	return q, nil
}

// Warnings returns what Open found worth telling the user about a file it
// opened anyway; today only an empty file ("… was empty: every file will be
// uploaded again"). Each is logged at Warn by Open as well.
func (q *Queue) Warnings() []string { return slices.Clone(q.warnings) }

func openQueue(path string, opts Options) (*Queue, error) {
	empty, err := precheck(path, opts)
	if err != nil {
		return nil, err
	}
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	q, err := start(db, opts)
	if err != nil {
		if isDamage(err) {
			err = damaged(path, opts.Now(), err) // copied while the lock is held
		}
		_ = db.Close()
		return nil, err
	}
	if empty {
		q.warnings = append(q.warnings, path+" was empty: every file will be uploaded again")
		q.log.Warn("queue file was empty: every file will be uploaded again", "path", path)
	}
	return q, nil
}

// precheck reads the pages bbolt's Open trusts (boltfile.go) before bbolt
// maps the file. It reports an empty file; a missing one is a new queue.
func precheck(path string, opts Options) (empty bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return false, err
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("%s is not a regular file", path)
	case fi.Size() == 0:
		return true, nil
	}
	if cause := checkBoltFile(f, fi.Size()); cause != nil {
		return false, confirm(path, opts, f, cause)
	}
	return false, nil
}

// confirm checks a file that looked damaged again while holding bbolt's
// shared lock: the pages were read without it, and a running uploader may
// have been writing them. The read-only open maps the file but reads only
// its two meta pages, so it is skipped for a file too short to hold them;
// such a file is no live database either.
func confirm(path string, opts Options, f *os.File, cause error) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() < boltPageSize(f)+pageHeaderSize+metaSize {
		return damaged(path, opts.Now(), cause)
	}
	var db *bolt.DB
	err = guard(func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: opts.Timeout})
		return err
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return lockedError(path)
	}
	if db == nil {
		return damaged(path, opts.Now(), cause)
	}
	defer func() { _ = db.Close() }()
	if fi, err = f.Stat(); err == nil {
		if cause = checkBoltFile(f, fi.Size()); cause == nil {
			return nil // it was being written; it is whole now
		}
	}
	return damaged(path, opts.Now(), cause)
}

// openBolt opens the file with bbolt. A panic inside bbolt's Open is
// turned into a damage error; the file is closed, but bbolt's memory map
// (and with it the lock) stays in the process: see doc.go, Hazards.
func openBolt(path string, opts Options) (*bolt.DB, error) {
	var file *os.File
	bo := &bolt.Options{Timeout: opts.Timeout, OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}}
	var db *bolt.DB
	err := guard(func() (err error) {
		db, err = bolt.Open(path, 0o600, bo)
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, lockedError(path)
	case isDamage(err):
		derr := damaged(path, opts.Now(), err)
		if errors.Is(err, errPanicked) && file != nil {
			_ = file.Close()
		}
		return nil, derr
	case err != nil:
		return nil, err
	}
	return db, nil
}

func lockedError(path string) error {
	return fmt.Errorf("another odailies-uploader is using %s; stop it or use another state dir: %w",
		filepath.Dir(path), ErrLocked)
}

// unreadable marks an error in what the file holds, as against one of the
// system reading it.
type unreadable struct{ err error }

func (u unreadable) Error() string { return u.err.Error() }
func (u unreadable) Unwrap() error { return u.err }

// isDamage reports whether err says the file's content cannot be trusted.
func isDamage(err error) bool {
	var u unreadable
	return errors.As(err, &u) || errors.Is(err, errPanicked) || errors.Is(err, bolterrors.ErrInvalid) ||
		errors.Is(err, bolterrors.ErrChecksum) || errors.Is(err, bolterrors.ErrVersionMismatch)
}

// start prepares the schema, loads the records and starts the writer.
func start(db *bolt.DB, opts Options) (*Queue, error) {
	if err := os.Chmod(db.Path(), 0o600); err != nil {
		return nil, fmt.Errorf("restrict file mode: %w", err)
	}
	if err := prepare(db); err != nil {
		return nil, err
	}
	q := newQueue(db, opts)
	if err := guard(func() error { return db.View(q.load) }); err != nil {
		return nil, unreadable{err}
	}
	dropMapped(db, time.Time{}) // the load read every page
	q.log.Info("queue opened", "path", db.Path(), "queued", q.counts.Queued,
		"done", q.counts.Done, "failed", q.counts.Failed, "gone", q.counts.Gone)
	go q.writer()
	return q, nil
}

// prepare reads the schema version and, for a new file or a schema older
// than baseVersion, creates the buckets or migrates in one Update. A file
// this binary reads as it is (baseVersion … schemaVersion) is not written:
// nothing touches a file before it has been read.
func prepare(db *bolt.DB) error {
	var v uint32
	err := guard(func() error {
		return db.View(func(tx *bolt.Tx) (err error) {
			v, err = schemaState(tx)
			return err
		})
	})
	switch {
	case err != nil:
		return unreadable{err}
	case v > schemaVersion:
		return newerSchema(v)
	case v >= baseVersion:
		return nil
	}
	if err := guard(func() error { return db.Update(prepareSchema) }); err != nil {
		if errors.Is(err, errPanicked) {
			return unreadable{err}
		}
		return fmt.Errorf("prepare schema: %w", err)
	}
	return nil
}
