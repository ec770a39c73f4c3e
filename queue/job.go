package queue

import (
	"errors"
	"time"
)

// Item is one version of a file as the watcher saw it. Path, Size and
// ModTime are its identity; Disk only says where to find it.
type Item struct {
	Path string // slash-separated, relative to the watch root, in NFC: the name at the server, e.g. "_graded/a.mov"
	// Disk is the same path as the file system spells it, the name to open
	// (relative, slash-separated): NFD from a Mac, or NFC and NFD mixed per
	// segment. "" (or Path itself, stored as "") means Path. An Enqueue of
	// the same version with another Disk updates it in place.
	Disk    string
	Size    int64     // bytes
	ModTime time.Time // modification time (compared at nanosecond precision as stored)
}

// State is where a job is in its life.
type State uint8

const (
	Queued State = iota + 1 // waiting to be leased (possibly not before NotBefore)
	Active                  // leased by a worker
	Done                    // uploaded with a 2xx
	Failed                  // given up; waits for Requeue
	Gone                    // the file vanished before it could be sent
)

// Job is a leased unit of work: one version of one file.
type Job struct {
	Item
	ID        uint64    // sequence of this version; FIFO order within a class
	Attempts  int       // attempts already made (0 on the first lease)
	LastError string    // why the previous attempt failed, if it did
	NotBefore time.Time // retry time; zero if due at once
	Lease     uint64    // lease token; a Job whose lease was superseded is stale
}

// Errors the queue returns for conditions callers decide on.
var (
	// ErrStale means the job's lease no longer holds: a newer version of
	// the file was enqueued, or the lease was released. Its result is
	// dropped.
	ErrStale = errors.New("queue: lease is stale")
	// ErrLocked means another process holds the database.
	ErrLocked = errors.New("queue: database is in use by another process")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("queue: closed")
	// ErrDamaged means Open found the file damaged and refused it. Its
	// error says what to do and names the copy of the file kept as found.
	ErrDamaged = errors.New("queue: database is damaged")
)
