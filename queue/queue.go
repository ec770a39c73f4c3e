package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Options configure Open. The zero value is usable.
type Options struct {
	// Priority lists classes (first path segment, e.g. "_thumbnails") in
	// the order they are handed out. Jobs of other classes come after, in
	// FIFO order across those classes. Nil: FIFO across all.
	Priority []string
	// Timeout is how long Open waits for the file lock; 0 means 1s.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the queue's log; nil discards.
	Logger *slog.Logger

	// after starts a timer; tests replace it to fire retry times by hand.
	// Nil means time.NewTimer.
	after func(d time.Duration) (c <-chan time.Time, stop func() bool)
	// blocked is called when a Lease call is about to wait; tests use it
	// to know a call is blocked. Nil means nothing.
	blocked func()
}

// Queue is the durable job store. All methods are safe for concurrent use.
type Queue struct {
	db      *bolt.DB
	log     *slog.Logger
	now     func() time.Time
	after   func(time.Duration) (<-chan time.Time, func() bool)
	blocked func()
	ranks   map[string]int // class → index in idx.ready

	mu        sync.Mutex
	byPath    map[string]*entry
	idx       *index
	failed    map[*entry]struct{}
	counts    Counts
	lastID    uint64 // highest job ID handed out
	lastLease uint64
	wake      chan struct{} // closed and replaced when jobs may have become due
	pending   []*op         // writes in the order they were applied in memory
	werr      error         // first write error; the queue refuses work after it
	closed    bool

	kick       chan struct{} // tells the writer there is pending work
	stop       chan struct{} // closed by Close: writer flushes and exits
	done       chan struct{} // closed by Close: wakes blocked Lease calls
	writerDone chan struct{}
	closeOnce  sync.Once
}

// Open opens or creates the queue database at path (mode 0600), releases
// leases left by a process that died, and loads the ready index. If another
// process holds the file, Open fails after opts.Timeout with an error that
// wraps ErrLocked.
func Open(path string, opts Options) (*Queue, error) {
	opts = withDefaults(opts)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open queue %s: another odailies-uploader is using %s; stop it or use another state dir: %w",
			path, filepath.Dir(path), ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", path, err)
	}
	q, err := start(db, opts)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open queue %s: %w", path, err)
	}
	return q, nil
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.blocked == nil {
		o.blocked = func() {}
	}
	if o.after == nil {
		o.after = func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		}
	}
	return o
}

// start prepares the schema, loads the records and starts the writer.
func start(db *bolt.DB, opts Options) (*Queue, error) {
	if err := os.Chmod(db.Path(), 0o600); err != nil {
		return nil, fmt.Errorf("restrict file mode: %w", err)
	}
	if err := db.Update(prepareSchema); err != nil {
		return nil, fmt.Errorf("prepare schema: %w", err)
	}
	q := newQueue(db, opts)
	if err := db.View(q.load); err != nil {
		return nil, err
	}
	q.log.Info("queue opened", "path", db.Path(), "queued", q.counts.Queued,
		"done", q.counts.Done, "failed", q.counts.Failed, "gone", q.counts.Gone)
	go q.writer()
	return q, nil
}

func newQueue(db *bolt.DB, opts Options) *Queue {
	q := &Queue{
		db: db, log: opts.Logger, now: opts.Now, after: opts.after, blocked: opts.blocked,
		ranks:      make(map[string]int, len(opts.Priority)),
		byPath:     make(map[string]*entry),
		idx:        newIndex(len(opts.Priority)),
		failed:     make(map[*entry]struct{}),
		wake:       make(chan struct{}),
		kick:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	for i, c := range opts.Priority {
		if _, dup := q.ranks[c]; !dup {
			q.ranks[c] = i
		}
	}
	return q
}

// rank is the index of path's class in the ready index.
func (q *Queue) rank(path string) int {
	class, _, _ := strings.Cut(path, "/")
	if r, ok := q.ranks[class]; ok {
		return r
	}
	return len(q.idx.ready) - 1
}

// Close waits for pending writes, wakes blocked Lease calls with ErrClosed
// and closes the database. Later calls return nil.
func (q *Queue) Close() error {
	var err error
	q.closeOnce.Do(func() {
		q.mu.Lock()
		q.closed = true
		q.mu.Unlock()
		close(q.done)
		close(q.stop)
		<-q.writerDone
		if cerr := q.db.Close(); cerr != nil {
			err = fmt.Errorf("close queue: %w", cerr)
		}
	})
	return err
}

// usable reports why the queue cannot take work, if it cannot. q.mu held.
func (q *Queue) usable() error {
	if q.closed {
		return ErrClosed
	}
	return q.werr
}

// broadcast wakes every blocked Lease call. q.mu held.
func (q *Queue) broadcast() {
	close(q.wake)
	q.wake = make(chan struct{})
}
