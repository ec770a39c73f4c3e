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
	// watched dir ("_graded/day2/A001.mov"), in Unicode NFC: the file's name
	// at the server and, with Size and ModTime, its version's identity.
	Path string
	// Disk is the same path exactly as the folder entries spell it, also
	// slash-separated and relative to the root: the name to open. It is
	// Path itself unless a name on the way is not NFC on disk (macOS HFS+,
	// a share written by a Mac), and then may mix NFC and NFD per segment.
	Disk    string
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
	// Settled gets the files that became finished in one tick, at most 512
	// a call (a tick that finishes more makes several calls). Each version
	// (path, size, mtime) is handed over once per Run while it stays
	// present; a file that goes away and comes back is handed over again.
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
	// Dirs are the watched dirs under which the caller may prune: read in
	// this scan, holding at least one eligible file, and not suspect (see
	// DirInfo). A missing dir, or one that reads as empty because its
	// drive may be unplugged, is left out, so nothing is pruned under it.
	Dirs []string
	// DirInfo describes every watched dir read in this scan, in the order
	// of Options.Dirs, whether or not it is in Dirs.
	DirInfo []DirInfo
}

// DirInfo is what one full scan found of one watched dir. An unplugged
// drive or an unmounted share leaves an empty mount point that reads as
// "every file deleted": Suspect says when this scan looks like that, and
// Device and Files let a caller that remembers more (across restarts)
// judge for itself.
type DirInfo struct {
	Dir string // as in Options.Dirs, slash-separated
	// Device identifies the volume the folder is on: st_dev on Unix, the
	// volume serial number on Windows; 0 when unknown.
	Device uint64
	// Files counts the eligible files found below Dir in any settle state,
	// unreadable and clashing ones included; files under a sub-folder that
	// could not be read are not counted.
	Files int
	// Suspect, when not "", says why this scan may not show what Dir
	// really holds: its Device differs from the previous scan's, or it
	// holds no file now while the watcher knew of some just before (and,
	// from then, until it holds files again). The same text is in
	// Status.Error. A dir suspect, or with Files 0 (the first scan of a Run
	// has no history to judge by), is not in Scan.Dirs.
	Suspect string
}

// Problem is a path the watcher sees but does not hand over until someone
// fixes it: a file or folder this process may not read, or two names in
// one folder that are one name once normalised.
type Problem struct {
	Path    string // relative to the root, slash-separated, NFC
	Problem string // what is wrong and the fix, in plain words
}

// MaxProblems is how many problems Status lists; Status.MoreProblems
// counts the rest.
const MaxProblems = 100

// Status is a snapshot of what the watcher is doing.
type Status struct {
	Mode     string // "events", "poll", or "poll (fallback)" when events could not be used
	Dirs     []string
	LastScan time.Time // when the last full scan finished
	Error    string    // current problem, "" when healthy
	Pending  int       // eligible files seen but not yet handed to Settled (including ones waiting on settle or an open writer; not those in Problems)
	Scans    int       // full scans completed (incremented after Scanned returns)
	// WriterCheck names the open-writer check in force: "inotify + /proc",
	// "/proc", "/proc (own processes only)" (Linux), "share-mode open"
	// (Windows) or "settle only" (macOS, the BSDs); "" before Run starts.
	WriterCheck string
	// Problems lists the paths held back until fixed, sorted by path, at
	// most MaxProblems of them; MoreProblems counts the others. A problem
	// clears when the path is readable again (at the next scan, or the
	// next event for it) or goes away.
	Problems     []Problem
	MoreProblems int
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
	canOpen   func(name string) error                 // opens a file for reading and closes it
	lstat     func(name string) (fs.FileInfo, error)  // a watched dir, before it is scanned
	osEnv     *osEnv                                  // the OS the hints speak of; nil: this one
	device    func(abs string, fi fs.FileInfo) uint64 // a watched dir's volume
	me        ids                                     // this process's ids, to read mode bits
	newBook   func() (*book, error)
	seesAll   func() bool      // whether the writers function sees other users' processes
	tick      <-chan time.Time // extra tick source; nil in production
	recheck   time.Duration    // how often missing dirs are looked for again

	forget  chan string     // Forget → Run (forget.go)
	explain chan explainReq // Explain → Run (explain.go)

	mu     sync.Mutex
	status Status
	alive  chan struct{} // while Run runs; closed when it returns (Explain)
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
		canOpen:   canOpen,
		lstat:     os.Lstat,
		device:    dirDevice,
		me:        currentIDs(),
		newBook:   newBook,
		seesAll:   seesOtherUsers,
		recheck:   5 * time.Second,
		forget:    make(chan string, forgetBuf),
		explain:   make(chan explainReq),
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
	s.Problems = append([]Problem(nil), s.Problems...)
	return s
}

func (w *Watcher) setStatus(f func(s *Status)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.status)
}
