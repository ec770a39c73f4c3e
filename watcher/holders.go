package watcher

import (
	"os"
	"path/filepath"
)

// Writer is a process that has a file open for writing.
type Writer struct {
	PID     int
	Command string // its command line (arguments joined by spaces), or its name; "" when not readable
}

// Holders is what the OS says of who has one file open for writing.
type Holders struct {
	// Known is false where the OS gives no way to tell (macOS, the BSDs);
	// on Windows only Held is known, not who.
	Known bool
	Held  bool
	// Writers are the processes found (Linux); Held may be true with none
	// listed when only the inotify bookkeeping knows.
	Writers []Writer
	// SeesAll says whether the look could see other users' processes
	// (Linux: CAP_SYS_PTRACE; root has it, the service user has not).
	SeesAll bool
}

// Writers asks the OS, now, which processes hold the file at rel (the
// on-disk spelling, slash-separated, relative to the root) open for
// writing. It needs no running Run: `why` asks it with the daemon
// stopped too. The look is the one the open-writer check makes (doc.go,
// "Open writers per OS"), for one file.
func (w *Watcher) Writers(rel string) Holders {
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	var ino uint64
	if fi, err := os.Lstat(abs); err == nil {
		_, ino, _ = fileFacts(fi, w.me)
	}
	return holdersOf(w.root, rel, ino)
}

// WritersUnder is Writers for every file under the root at once, one
// look at the OS however many files (for a folder's summary): the files
// held open for writing, by their on-disk path relative to the root,
// slash-separated. known and seesAll are as in Holders; where only
// whether is known (Windows), or nothing, it returns known false and the
// caller asks Writers file by file or not at all.
func (w *Watcher) WritersUnder() (held map[string][]Writer, known, seesAll bool) {
	return writersUnder(w.root)
}

// CanRead opens the file at name for reading and closes it at once, as
// the settle check does (without blocking on a file replaced by a FIFO
// meanwhile): nil, or the error, fs.ErrPermission for a file this
// process may not read.
func CanRead(name string) error { return canOpen(name) }
