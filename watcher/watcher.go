package watcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// File is one finished version of a file, as handed to [Handler.Settled].
type File struct {
	// Path is slash-separated, relative to the root and starting with the
	// watched dir ("_graded/day2/A001.mov"), in Unicode NFC.
	Path    string
	Size    int64
	ModTime time.Time
}

// Options configure a [Watcher]. The zero value of each field is documented
// beside it.
type Options struct {
	Dirs          []string      // watched folders under root, e.g. {"_graded","_thumbnails"}; required
	Settle        time.Duration // unchanged this long (size and mtime, by re-stat) before a file is emitted; 0 = emit at first sight
	Rescan        time.Duration // full rescan period; 0 means 10m
	Poll          bool          // no fsnotify: scan every PollInterval
	PollInterval  time.Duration // 0 means 10s
	Include       []string      // globs; empty: everything not excluded
	Exclude       []string      // globs, in addition to the built-in junk rules
	OpenWriterMax time.Duration // a file held open for writing longer than this is treated as settled; 0 means 1h
	Logger        *slog.Logger  // nil: discard
	Now           func() time.Time
}

// Defaults applied by [New] to zero-valued options.
const (
	DefaultRescan        = 10 * time.Minute
	DefaultPollInterval  = 10 * time.Second
	DefaultOpenWriterMax = time.Hour
)

// Handler receives the watcher's output, from one goroutine, in order. An
// error from it stops Run.
type Handler interface {
	// Settled gets the files that became finished in one tick. Each version
	// (path, size, mtime) is handed over once per Run.
	Settled(ctx context.Context, files []File) error
	// Scanned is called after every complete full scan of all dirs.
	Scanned(ctx context.Context, s Scan) error
}

// Scan describes one finished full scan.
type Scan struct {
	At time.Time // when the scan finished
	// Present reports whether an eligible path (NFC, as in File.Path), in
	// any settle state, was in the tree. Paths under a sub-folder that could
	// not be read count as present. It is a snapshot and stays valid after
	// Scanned returns.
	Present func(path string) bool
	Dirs    []string // the watched dirs that were readable in this scan (prune only under these)
}

// Status is a snapshot of what the watcher is doing.
type Status struct {
	Mode     string // "events", "poll", or "poll (fallback)" when events could not be used
	Dirs     []string
	LastScan time.Time // when the last full scan finished
	Error    string    // current problem, "" when healthy
	Pending  int       // eligible files seen but not yet handed to Settled (including ones waiting on settle or an open writer)
	Scans    int       // full scans completed (incremented after Scanned returns)
	// WriterCheck names the open-writer check in force: "inotify + /proc",
	// "/proc", "/proc (own processes only)" (Linux), "share-mode open"
	// (Windows) or "settle only" (macOS, the BSDs); "" before Run starts.
	WriterCheck string
}

// Watcher turns a root folder and its watched dirs into settled files.
type Watcher struct {
	root  string
	opts  Options
	log   *slog.Logger
	rules rules

	// Seams for tests; set by New to the real thing.
	newSource func() (eventSource, error)
	writers   func(root string, cands []candidate) []bool
	readDir   func(dir string) ([]fs.DirEntry, error)
	newBook   func() (*book, error)
	seesAll   func() bool      // whether the writers function sees other users' processes
	tick      <-chan time.Time // extra tick source; nil in production
	recheck   time.Duration    // how often missing dirs are looked for again

	mu     sync.Mutex
	status Status
}

// New validates the options and returns a Watcher for root. It does no I/O
// that could fail on a missing root.
func New(root string, opts Options) (*Watcher, error) {
	if root == "" {
		return nil, errors.New("new watcher: empty root")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("new watcher: root %s: %w", root, err)
	}
	dirs, err := cleanDirs(opts.Dirs)
	if err != nil {
		return nil, fmt.Errorf("new watcher: %w", err)
	}
	r, err := newRules(opts.Include, opts.Exclude)
	if err != nil {
		return nil, fmt.Errorf("new watcher: %w", err)
	}
	opts.Dirs = dirs
	opts = withDefaults(opts)
	w := &Watcher{
		root:      abs,
		opts:      opts,
		log:       opts.Logger,
		rules:     r,
		newSource: newFSNotify,
		writers:   openWriters,
		readDir:   os.ReadDir,
		newBook:   newBook,
		seesAll:   seesOtherUsers,
		recheck:   5 * time.Second,
	}
	w.status = Status{Mode: w.baseMode(), Dirs: append([]string(nil), dirs...)}
	return w, nil
}

func withDefaults(o Options) Options {
	if o.Rescan <= 0 {
		o.Rescan = DefaultRescan
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.OpenWriterMax <= 0 {
		o.OpenWriterMax = DefaultOpenWriterMax
	}
	if o.Settle < 0 {
		o.Settle = 0
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// cleanDirs checks that every watched dir is a relative path inside the root
// and returns them slash-separated.
func cleanDirs(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, errors.New("no watched dirs")
	}
	out := make([]string, 0, len(in))
	for _, d := range in {
		c := path.Clean(filepath.ToSlash(d))
		if d == "" || c == "." || path.IsAbs(c) || filepath.IsAbs(d) || c == ".." || strings.HasPrefix(c, "../") {
			return nil, fmt.Errorf("watched dir %q: must be a folder inside the root", d)
		}
		out = append(out, c)
	}
	return out, nil
}

func (w *Watcher) baseMode() string {
	if w.opts.Poll {
		return "poll"
	}
	return "events"
}

// Status returns a snapshot of the watcher's state. It is safe for
// concurrent use.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Dirs = append([]string(nil), s.Dirs...)
	return s
}

func (w *Watcher) setStatus(f func(s *Status)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.status)
}
