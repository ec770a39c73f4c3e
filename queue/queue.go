package queue

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Options configure Open. The zero value is usable.
type Options struct {
	// Priority lists classes (first path segment, e.g. "_thumbnails") in
	// the order they are handed out. Jobs of other classes come after, in
	// FIFO order across those classes. Nil: FIFO across all.
	Priority []string
	// Timeout is how long Open waits for the file lock; 0 means 1s.
	Timeout time.Duration
	// KeepMissing is how long Prune keeps the record of a done job whose
	// file full scans no longer find, counted from the first such scan; 0
	// (or less) means DefaultKeepMissing.
	KeepMissing time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the queue's log; nil discards.
	Logger *slog.Logger
	// OutcomeGap is how long an upload's outcome (Done, Retry, Fail, Gone,
	// Changed) may wait to share a commit with later ones while other jobs
	// are queued or active; 0 means no longer than any change (gatherGap,
	// 5 ms). For a caller that hands outcomes to the queue without waiting
	// for them, as the uploader does: a caller that waits for each one in
	// turn would wait this long each time. writer.go has the rule.
	OutcomeGap time.Duration

	// after starts a timer; tests replace it to fire retry times by hand.
	// Nil means time.NewTimer.
	after func(d time.Duration) (c <-chan time.Time, stop func() bool)
	// blocked is called when a Lease call is about to wait; tests use it
	// to know a call is blocked. Nil means nothing.
	blocked func()
	// afterWrite starts the timer of the writer's backoff after a failed
	// write; nil means time.NewTimer.
	afterWrite func(d time.Duration) (c <-chan time.Time, stop func() bool)
	// writeHook runs inside every write transaction before its changes; an
	// error fails the write as a full disk would. Nil means none.
	writeHook func() error
}

// DefaultKeepMissing is Options.KeepMissing's default: a week. Long enough
// for a drive to be away over a weekend or a shoot break (an unplugged
// RAID, a NAS remounted elsewhere) and come back without a single file
// sent again; short enough that queue.db and the queue's memory stay
// bounded when files really were deleted from a volume while it was away.
const DefaultKeepMissing = 7 * 24 * time.Hour

// Queue is the durable job store. All methods are safe for concurrent use.
type Queue struct {
	db          *bolt.DB
	log         *slog.Logger
	now         func() time.Time
	keepMissing time.Duration // Options.KeepMissing
	after       func(time.Duration) (<-chan time.Time, func() bool)
	blocked     func()
	ranks       map[string]int32 // class → index in idx.ready
	priority    []string         // Options.Priority, for errors

	mu        sync.Mutex
	byPath    map[string]*entry
	idx       *index
	failed    map[*entry]struct{}
	acting    map[*entry]struct{} // Done entries whose action is pending or failed
	actCounts ActionCounts
	counts    Counts
	lastID    uint64 // highest job ID handed out
	lastLease uint64
	wake      chan struct{}   // closed and replaced when jobs may have become due
	idle      chan<- struct{} // NotifyIdle's channel, or nil
	busy      bool            // counts.Queued+counts.Active > 0 after the last change (maybeIdle)
	pending   []*op           // writes in the order they were applied in memory
	werr      error           // why the last write failed; nil once one succeeds (writefail.go)
	closed    bool
	warnings  []string // what Open found (Warnings)

	afterWrite func(time.Duration) (<-chan time.Time, func() bool)
	writeHook  func() error

	kick       chan struct{} // tells the writer there is pending work
	hurry      chan struct{} // tells a gathering writer the gap may have shortened (commitGap)
	urgent     int           // ops in pending that are not outcomes (q.mu)
	outcomeGap time.Duration // Options.OutcomeGap
	stop       chan struct{} // closed by Close: writer flushes and exits
	done       chan struct{} // closed by Close: wakes blocked Lease calls
	writerDone chan struct{}
	closeOnce  sync.Once
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.KeepMissing <= 0 {
		o.KeepMissing = DefaultKeepMissing
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.blocked == nil {
		o.blocked = func() {}
	}
	if o.after == nil {
		o.after = newTimer
	}
	if o.afterWrite == nil {
		o.afterWrite = newTimer
	}
	if o.writeHook == nil {
		o.writeHook = func() error { return nil }
	}
	return o
}

func newTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

func newQueue(db *bolt.DB, opts Options) *Queue {
	q := &Queue{
		db: db, log: opts.Logger, now: opts.Now, keepMissing: opts.KeepMissing, after: opts.after, blocked: opts.blocked,
		afterWrite: opts.afterWrite, writeHook: opts.writeHook, outcomeGap: opts.OutcomeGap,
		ranks:      make(map[string]int32, len(opts.Priority)),
		priority:   slices.Clone(opts.Priority),
		byPath:     make(map[string]*entry),
		idx:        newIndex(len(opts.Priority)),
		failed:     make(map[*entry]struct{}),
		acting:     make(map[*entry]struct{}),
		wake:       make(chan struct{}),
		kick:       make(chan struct{}, 1),
		hurry:      make(chan struct{}, 1),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	for i, c := range opts.Priority {
		if _, dup := q.ranks[c]; !dup {
			q.ranks[c] = int32(i)
		}
	}
	return q
}

// rank is the index of path's class in the ready index.
func (q *Queue) rank(path string) int32 {
	class, _, _ := strings.Cut(path, "/")
	if r, ok := q.ranks[class]; ok {
		return r
	}
	return int32(len(q.idx.ready) - 1)
}

// Close writes what is pending, wakes blocked Lease calls with ErrClosed
// and closes the database. If that last write fails, Close returns its
// error, and the changes it held are lost (doc.go, Write failures). Later
// calls return nil.
func (q *Queue) Close() error {
	var err error
	q.closeOnce.Do(func() {
		q.mu.Lock()
		q.closed = true
		q.mu.Unlock()
		close(q.done)
		close(q.stop)
		<-q.writerDone
		q.mu.Lock()
		werr := q.werr
		q.mu.Unlock()
		if werr != nil {
			err = fmt.Errorf("close queue: %w", werr)
		}
		if cerr := q.db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close queue: %w", cerr)
		}
	})
	return err
}

// usable reports why the queue cannot take work, if it cannot. A failing
// write is no reason: changes are kept in memory. q.mu held.
func (q *Queue) usable() error {
	if q.closed {
		return ErrClosed
	}
	return nil
}

// broadcast wakes every blocked Lease call. q.mu held.
func (q *Queue) broadcast() {
	close(q.wake)
	q.wake = make(chan struct{})
}
