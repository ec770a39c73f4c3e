// Package why holds the answer to "why is this file (not) uploaded?": the
// types the `why` command, the control operation "why" and the dashboard's
// search box share, and their rendering for people. It decides nothing:
// internal/daemon asks the watcher, the queue and the uploader (or, with
// the daemon stopped, the queue file and the rules alone) and fills an
// [Answer] per path.
//
// # JSON (stable keys, for scripts)
//
// `why -json` prints a [Result]; the control operation "why" takes a
// [Request] and answers a Result. Keys are never renamed or removed; keys
// may be added. Times are RFC 3339 in UTC. Every answer has "path",
// "state" and "reason"; the objects beside them ("rule", "settle",
// "holders", "queue", "upload", "delivery", "failure", "folder") appear
// only for the states that have them:
//
//	ignored     rule
//	not-seen    next_scan (top level of the answer)
//	settling    settle
//	held-open   settle, holders (when the OS says)
//	queued      queue
//	active      upload
//	done        delivery
//	failed      failure
//	gone        (reason only)
//	missing     (reason only)
//	unreadable  fix (always)
//	outside     (reason only: under no show's root)
//	folder      folder
//
// # Hazards
//
//   - With the daemon stopped, what only the running watcher or uploader
//     knows (settle timing, open writers, bytes sent) is not known: the
//     answer says so in "unknown" rather than guessing.
//   - An answer is a snapshot: a file settling now may be queued a
//     second later.
package why

import "time"

// State is what a path is, in one word.
type State string

// The states of an Answer.
const (
	Ignored    State = "ignored"    // left out by a rule (Answer.Rule says which)
	NotSeen    State = "not-seen"   // eligible, but the watcher has not met it yet
	Settling   State = "settling"   // waiting to be unchanged for settle
	HeldOpen   State = "held-open"  // unchanged, but a process has it open for writing
	Queued     State = "queued"     // in the queue, waiting for a worker (or for its retry time)
	Active     State = "active"     // being uploaded now
	Done       State = "done"       // uploaded (and verified how Delivery says)
	Failed     State = "failed"     // given up; `retry PATH` puts it back
	Gone       State = "gone"       // the file vanished before it could be sent
	Missing    State = "missing"    // no such file, and the daemon has no record of one
	Unreadable State = "unreadable" // the OS refuses to let the daemon (or this command) read it
	Outside    State = "outside"    // under no show's root
	Folder     State = "folder"     // a folder: Answer.Folder counts its files by state
)

// Rule kinds: why an ignored path is left out.
const (
	RuleJunk           = "junk"             // built-in junk name (dotfile, ~*, Thumbs.db, .tmp, .part…)
	RuleExclude        = "exclude"          // an exclude glob (Rule.Glob)
	RuleInclude        = "include"          // include globs are set and none matches
	RuleHiddenFolder   = "hidden-folder"    // a folder on the way starts with "." (Rule.Folder)
	RuleExcludedFolder = "excluded-folder"  // an exclude glob matches a folder on the way (Rule.Folder, Rule.Glob)
	RuleSymlink        = "symlink"          // a symbolic link: never followed
	RuleNotRegular     = "not-regular"      // a device, socket or pipe
	RuleOutsideDirs    = "outside-dirs"     // under the root but in none of watch.dirs
	RuleAfterUploadDir = "after-upload-dir" // inside watch.after_upload_dir, where uploaded files are moved
)

// Request asks about paths (control operation "why"). A path is absolute,
// relative to Dir, or relative to a show's root.
type Request struct {
	Paths []string `json:"paths"`
	// Watch names the show (why -watch); "": the show whose root holds
	// each path.
	Watch string `json:"watch,omitempty"`
	// Dir is the asker's working directory (the daemon's is not the
	// user's): a relative path that lies, from Dir, under a show's root
	// is taken from there, unless only the root holds it. "": paths are
	// absolute or relative to a root (the dashboard's search box).
	Dir string `json:"dir,omitempty"`
}

// Result is every answer, in the order asked.
type Result struct {
	// DaemonRunning says whether the running daemon answered; false: the
	// answers come from the queue file and the rules alone.
	DaemonRunning bool     `json:"daemon_running"`
	Answers       []Answer `json:"answers"`
}

// Answer explains one path.
type Answer struct {
	Path  string `json:"path"`            // as asked
	Abs   string `json:"abs,omitempty"`   // the absolute path on disk
	Watch string `json:"watch,omitempty"` // the show whose root holds it ("" with one show)
	Rel   string `json:"rel,omitempty"`   // relative to the root, slash-separated, NFC: the name at the server
	State State  `json:"state"`
	// Reason says, in a sentence a person reads, why the path is in its
	// state, with the specifics (the rule, the times, the process).
	Reason string `json:"reason"`
	// Fix is what to do, when something can or must be done.
	Fix string `json:"fix,omitempty"`
	// Unknown lists what could not be known, each in a sentence (the
	// daemon is not running: whether a process holds it open…).
	Unknown []string `json:"unknown,omitempty"`
	// NextScan is when the watcher's next full scan is due (not-seen,
	// with the daemon running).
	NextScan time.Time `json:"next_scan,omitzero"`

	Rule     *Rule     `json:"rule,omitempty"`
	Settle   *Settle   `json:"settle,omitempty"`
	Holders  []Holder  `json:"holders,omitempty"`
	Queue    *Queue    `json:"queue,omitempty"`
	Upload   *Upload   `json:"upload,omitempty"`
	Delivery *Delivery `json:"delivery,omitempty"`
	Failure  *Failure  `json:"failure,omitempty"`
	Folder   *Contents `json:"folder,omitempty"`
}

// Rule is the rule that leaves an ignored path out.
type Rule struct {
	Kind   string `json:"kind"`             // one of the Rule* constants
	Glob   string `json:"glob,omitempty"`   // the exclude glob that matched (exclude, excluded-folder)
	Folder string `json:"folder,omitempty"` // the folder on the way that is left out (hidden-folder, excluded-folder, after-upload-dir), relative to the root
}

// Settle is a file waiting to be unchanged for watch.settle.
type Settle struct {
	Since  time.Time     `json:"since"`  // size and mtime unchanged since (the mtime, or when first seen)
	Due    time.Time     `json:"due"`    // when it is looked at next
	Settle time.Duration `json:"settle"` // watch.settle, in nanoseconds
	Size   int64         `json:"size"`
	// OpenSince is when a writer was first seen holding it (held-open);
	// zero otherwise.
	OpenSince time.Time `json:"open_since,omitzero"`
	// WriterCheck names the open-writer check in force ("inotify +
	// /proc", "settle only"…), as status shows it.
	WriterCheck string `json:"writer_check,omitempty"`
}

// Holder is a process that has the file open for writing.
type Holder struct {
	PID     int    `json:"pid"`
	Command string `json:"command,omitempty"` // its command line, or its name; "" when the OS does not say
}

// Queue is a queued file's place.
type Queue struct {
	Class    string `json:"class"`    // the first path segment ("_thumbnails"): its lane
	Position int    `json:"position"` // 1 is next in its class; 0 while waiting for its retry time
	Of       int    `json:"of"`       // files due in its class
	// NotBefore is its retry time (after a failed attempt); zero: due now.
	NotBefore time.Time `json:"not_before,omitzero"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Size      int64     `json:"size"`
}

// Upload is an upload in flight.
type Upload struct {
	BytesSent int64   `json:"bytes_sent"`
	Size      int64   `json:"size"`
	Rate      float64 `json:"rate_bytes_per_s"` // the whole pool's (every upload's) rate
	Attempts  int     `json:"attempts"`         // attempts before this one
}

// Delivery is a done upload.
type Delivery struct {
	At       time.Time `json:"at"`
	Size     int64     `json:"size"`
	MD5      string    `json:"md5,omitempty"`
	Verified string    `json:"verified"` // "md5+etag", "md5", "none", "" (before verification existed)
	// Action is watch.after_upload for this file: "keep", "move" or
	// "delete"; ActionState where it is ("pending", "done", "failed",
	// "skipped"; "" for keep), ActionDest where a move put the file,
	// ActionReason why it failed or was skipped.
	Action       string    `json:"action"`
	ActionState  string    `json:"action_state,omitempty"`
	ActionAt     time.Time `json:"action_at,omitzero"`
	ActionDest   string    `json:"action_dest,omitempty"`
	ActionReason string    `json:"action_reason,omitempty"`
	// Missing is when full scans first did not find the file (it may be
	// on a volume that is away); zero when found.
	Missing time.Time `json:"missing,omitzero"`
}

// Failure is a failed upload.
type Failure struct {
	Reason   string    `json:"reason"`
	Attempts int       `json:"attempts"`
	At       time.Time `json:"at"`
	Retry    string    `json:"retry"` // the command that puts it back in the queue
}

// Contents counts a folder's files by state; Files explains each file that
// is not done (at most MaxFolderFiles; More counts the rest).
type Contents struct {
	Counts map[State]int `json:"counts"`
	Files  []Answer      `json:"files,omitempty"`
	More   int           `json:"more,omitempty"`
}

// MaxFolderFiles bounds Contents.Files.
const MaxFolderFiles = 50
