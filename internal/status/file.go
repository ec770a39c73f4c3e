// Package status is the daemon's status document: the fixed keys of
// status.json that scripts read (DESIGN.md "Status"; keys may be added,
// never renamed or removed), its atomic write and read, and its rendering
// for people.
package status

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// FileName is the file in state.dir the daemon rewrites and `status`
// reads.
const FileName = "status.json"

// Interval is how often the daemon rewrites the file.
const Interval = 2 * time.Second

// StaleAfter is how old the file may be before the daemon is taken for not
// running: several missed rewrites.
const StaleAfter = 5 * Interval

// Path is the status file of the state folder stateDir.
func Path(stateDir string) string { return filepath.Join(stateDir, FileName) }

// State is the document's "state": the daemon's health in one word.
type State string

// The states the daemon writes. Beside these, the uploader's health
// values other than "ok" ("auth-error", "not-found", "offline",
// "slow-down") are written as they are.
const (
	Running    State = "running"
	Stopped    State = "stopped"
	WatchError State = "watch-error"
	// StateDiskError: queue.db cannot be written (state.dir full or
	// read-only); nothing new is uploaded until it can.
	StateDiskError State = "state-dir-error"
)

// Doc is status.json. The first block of keys is the fixed set of
// DESIGN.md; the rest are additions.
type Doc struct {
	State          State           `json:"state"`
	Updated        time.Time       `json:"updated"`
	Queued         int             `json:"queued"`
	Active         int             `json:"active"`
	Done           int             `json:"done"`
	Failed         int             `json:"failed"`
	Gone           int             `json:"gone"`
	BytesDone      int64           `json:"bytes_done"`
	Rate           float64         `json:"rate_bytes_per_s"`
	ActiveFiles    []ActiveFile    `json:"active_files"`
	RecentFailures []RecentFailure `json:"recent_failures"`
	Watcher        Watcher         `json:"watcher"`

	Detail      string `json:"detail,omitempty"`
	QueuedBytes int64  `json:"queued_bytes"`
	// Missing counts done files the last full scan did not find: kept
	// (a drive may be away), forgotten after a week.
	Missing    int       `json:"missing"`
	ETASeconds int64     `json:"eta_s,omitempty"`
	Started    time.Time `json:"started"`
	PID        int       `json:"pid"`
	Version    string    `json:"version"`

	// Bandwidth is the upload cap in force (upload.bandwidth or
	// upload.bandwidth_schedule).
	Bandwidth Bandwidth `json:"bandwidth"`

	// Verified counts the done files by how the storage confirmed their
	// bytes (the delivery report says it per file).
	Verified Verified `json:"verified"`

	// ActionsPending and ActionsFailed count the uploaded files whose
	// after-upload action (watch.after_upload: move or delete) is still to
	// be carried out, and those whose last try failed (the log says why
	// and what to fix; they are tried again). ActionsDone counts the
	// files moved or deleted that the queue still remembers.
	ActionsPending int `json:"actions_pending"`
	ActionsFailed  int `json:"actions_failed"`
	ActionsDone    int `json:"actions_done"`

	// Watches is each show of a config with several ([[watch]] tables),
	// in the config's order; absent with one show. The counts above are
	// their totals; State above is running while any show can upload
	// (a show that is blocked is said in its own entry and in Detail),
	// and a show's blocking state when every show is blocked.
	Watches []Watch `json:"watches,omitempty"`
}

// Watch is one show's part of the status.
type Watch struct {
	Name      string  `json:"name"`
	State     State   `json:"state"`
	Detail    string  `json:"detail,omitempty"`
	Root      string  `json:"root"`
	ProjectID string  `json:"project_id"`
	Queued    int     `json:"queued"`
	Active    int     `json:"active"`
	Done      int     `json:"done"`
	Failed    int     `json:"failed"`
	Gone      int     `json:"gone"`
	BytesDone int64   `json:"bytes_done"`
	Rate      float64 `json:"rate_bytes_per_s"`
}

// Verified is the done files by verification, keyed as the delivery
// report spells it: "md5+etag" (the storage checked Content-MD5 and its
// ETag is the MD5), "md5" (it checked Content-MD5; its ETag was not an
// MD5 to compare), "none" (upload.verify = "none": not verified) and
// "unknown" (uploaded before verification existed).
type Verified struct {
	ETag       int `json:"md5+etag"`
	ContentMD5 int `json:"md5"`
	None       int `json:"none"`
	Unknown    int `json:"unknown"`
}

// Bandwidth is the cap in force and, with a schedule, its next change.
type Bandwidth struct {
	Limit int64 `json:"limit_bytes_per_s"` // 0: unlimited
	// Scheduled: the cap follows upload.bandwidth_schedule.
	Scheduled bool `json:"scheduled,omitempty"`
	// NextChange is when the schedule changes the cap next (absent: no
	// change ahead), NextLimit the cap from then (0: unlimited).
	NextChange time.Time `json:"next_change,omitzero"`
	NextLimit  int64     `json:"next_limit_bytes_per_s,omitempty"`
}

type ActiveFile struct {
	Path      string `json:"path"`
	BytesSent int64  `json:"bytes_sent"`
	Size      int64  `json:"size"`
	Watch     string `json:"watch,omitempty"` // the show, with several
}

// RecentFailure is a failed upload or, with Action set, a file uploaded
// whose after-upload action failed at its last try. An upload failure
// stays until retry puts it back; an action failure until a later try
// (the daemon makes them by itself) succeeds.
type RecentFailure struct {
	Path  string    `json:"path"`
	Error string    `json:"error"`           // what failed, and what to do about it
	At    time.Time `json:"at"`              // when it failed (an action: its last try)
	Watch string    `json:"watch,omitempty"` // the show, with several
	// Action is the after-upload action that failed ("move" or
	// "delete"); absent for a failed upload.
	Action string `json:"action,omitempty"`
}

type Watcher struct {
	Mode     string    `json:"mode"`
	Dirs     []string  `json:"dirs"`
	LastScan time.Time `json:"last_scan"`
	Error    string    `json:"error"`
	Pending  int       `json:"pending"`

	// WriterCheck says how files still being written are told apart:
	// "inotify + /proc", "/proc (own processes only)", "settle only"….
	WriterCheck string `json:"writer_check,omitempty"`

	// Problems are paths held back until a person fixes them (unreadable,
	// two names that are one once normalised), at most 100; MoreProblems
	// counts the rest.
	Problems     []Problem `json:"problems,omitempty"`
	MoreProblems int       `json:"more_problems,omitempty"`
}

// Problem is one path held back, and what to do about it.
type Problem struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

// Write replaces path atomically: a reader sees the old or the new
// document, never half of one.
func Write(path string, doc *Doc) error {
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".status-*.tmp")
	if err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("write status: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write status: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}

// Read reads status.json, keeping the raw bytes for `status -json`.
func Read(path string) (*Doc, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var doc Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &doc, data, nil
}
