package report

import (
	"strings"
	"time"
)

// The after-upload actions (watch.after_upload): the action column.
const (
	ActionKeep   = "keep"
	ActionMove   = "move"
	ActionDelete = "delete"
)

// Where an after-upload action is: the state of the action column.
const (
	ActPending = "pending" // recorded with the upload, not carried out yet
	ActDone    = "done"    // moved or deleted
	ActFailed  = "failed"  // the last try failed; tried again by the daemon
	ActSkipped = "skipped" // left where it is for good: the file changed or went since its upload
)

// AfterUpload is what happened to a file after its upload
// (watch.after_upload): the report's after_upload column.
type AfterUpload struct {
	Action string    `json:"action"`           // ActionKeep, ActionMove or ActionDelete; "" from a daemon older than the actions: kept
	State  string    `json:"state,omitempty"`  // ActPending, ActDone, ActFailed or ActSkipped; "" for keep
	At     time.Time `json:"at,omitzero"`      // when it reached State; zero while pending
	Dest   string    `json:"dest,omitempty"`   // a move done: where the file is now, relative to the root with "/", or absolute
	Reason string    `json:"reason,omitempty"` // failed or skipped: why, and for failed what to fix
}

// acts reports whether the file has an action other than keep.
func (a AfterUpload) acts() bool { return a.Action != "" && a.Action != ActionKeep }

// Text is the after_upload column of the CSV: "kept", "moved to
// _uploaded/_graded/a.mov", "deleted", "move pending", "move failed:
// <reason>", "not deleted: <reason>".
func (a AfterUpload) Text() string {
	s := a.Short("")
	switch a.State {
	case ActDone:
		if a.Action == ActionMove {
			return "moved to " + a.Dest
		}
	case ActFailed, ActSkipped:
		if a.Reason != "" {
			return s + ": " + a.Reason
		}
	}
	return s
}

// Short is the after-upload column of the table, for the file at path:
// a move that kept the file's relative path names only the folder it
// went to ("moved to _uploaded/"); one that had to take a free name
// names the file ("moved to _uploaded/_graded/a (2).mov"). Reasons are
// left for the notes under the table.
func (a AfterUpload) Short(path string) string {
	if !a.acts() {
		return "kept"
	}
	switch a.State {
	case ActDone:
		if a.Action == ActionDelete {
			return "deleted"
		}
		if path != "" && strings.HasSuffix(a.Dest, "/"+path) {
			return "moved to " + strings.TrimSuffix(a.Dest, path)
		}
		return "moved to " + a.Dest
	case ActFailed:
		return a.Action + " failed"
	case ActSkipped:
		if a.Action == ActionMove {
			return "not moved"
		}
		return "not deleted"
	}
	return a.Action + " pending"
}
