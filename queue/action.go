package queue

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Action is what happens to a file once its upload is done
// (watch.after_upload). The queue only keeps it with the done record and
// its state; what it means on disk is the caller's (internal/afterupload).
type Action uint8

const (
	ActionKeep   Action = iota // nothing: the file stays where it is
	ActionMove                 // moved to the after-upload folder
	ActionDelete               // deleted
	actionLimit
)

func (a Action) String() string {
	switch a {
	case ActionMove:
		return "move"
	case ActionDelete:
		return "delete"
	}
	return "keep"
}

// ActState is where an action is.
type ActState uint8

const (
	ActPending ActState = iota + 1 // recorded with the Done, not carried out yet
	ActDone                        // carried out: the file was moved or deleted
	ActSkipped                     // not carried out, for good: the file changed or went since its upload
	ActFailed                      // tried and failed; tried again (PendingActions lists it)
	actLimit
)

func (s ActState) String() string {
	switch s {
	case ActPending:
		return "pending"
	case ActDone:
		return "done"
	case ActSkipped:
		return "skipped"
	case ActFailed:
		return "failed"
	}
	return fmt.Sprintf("ActState(%d)", uint8(s))
}

// actionExt is a done record's action as stored (record.go, format 4).
// Never changed in place: a copy of a record may share it.
type actionExt struct {
	action Action
	state  ActState
	at     time.Time // when it reached its state; zero while pending
	fileID string    // identity of the file the upload read (16 bytes); "" once done or skipped
	dest   string    // where a move put the file; "" unless moved
}

// PendingAction is a done file whose action is pending or failed: what the
// caller needs to carry it out, and to check the file is still the one
// uploaded.
type PendingAction struct {
	Path    string // as Job.Path
	Disk    string // as Item.Disk: the name to open, "" when it is Path
	Size    int64
	ModTime time.Time
	MD5     string   // the delivery's MD5 (hex), "" when none was computed
	FileID  [16]byte // identity of the file the upload read (internal/fileid's ID.Bytes)
	Action  Action
	State   ActState // ActPending or ActFailed
	Reason  string   // ActFailed: why the last try failed
	id      uint64
}

// ActResult is the outcome of one try of an action.
type ActResult struct {
	State  ActState // ActDone, ActSkipped or ActFailed
	Dest   string   // ActDone of a move: where the file is now (relative to the root with "/", or absolute)
	Reason string   // ActSkipped, ActFailed: why, worded for the status
}

// ActionCounts are the done records by the state of their action.
type ActionCounts struct {
	Pending int // recorded, not carried out yet
	Failed  int // tried and failed; tried again
	Done    int // moved or deleted
	Skipped int // left alone: the file changed or went since its upload
}

// ErrNoAction wraps a PendingAction whose record no longer has that
// action pending or failed: a newer version replaced it, or it was
// recorded already.
var ErrNoAction = errors.New("queue: no such pending action")

// setThen records the action a Done asks for, as pending (q.mu held, e
// being made Done). Done has checked a and fileID.
func (q *Queue) setThen(e *entry, a Action, fileID [16]byte) {
	if a == ActionKeep || a >= actionLimit {
		return
	}
	q.account(e, -1)
	e.setAct(&actionExt{action: a, state: ActPending, fileID: string(fileID[:])})
	e.setLastError("")
	q.account(e, 1)
}

// PendingActions lists the done records whose action is pending or
// failed, oldest job first.
func (q *Queue) PendingActions() ([]PendingAction, error) {
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return nil, err
	}
	out := make([]PendingAction, 0, len(q.acting))
	for e := range q.acting {
		out = append(out, e.pendingAction())
	}
	q.mu.Unlock()
	slices.SortFunc(out, func(a, b PendingAction) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

func (e *entry) pendingAction() PendingAction {
	a := e.act()
	p := PendingAction{Path: e.Path, Disk: e.disk(), Size: e.Size, ModTime: e.ModTime,
		Action: a.action, State: a.state, id: e.id}
	copy(p.FileID[:], a.fileID)
	if a.state == ActFailed {
		p.Reason = e.lastError()
	}
	if d := e.delivery(); d.hasMD5 {
		p.MD5 = fmt.Sprintf("%x", d.md5)
	}
	return p
}

// Acted records the outcome of one try of p's action; it returns once the
// change is durable. A record that is no longer p's version with its
// action pending or failed gives ErrNoAction, and nothing changes.
func (q *Queue) Acted(p PendingAction, r ActResult) error {
	if r.State != ActDone && r.State != ActSkipped && r.State != ActFailed {
		return fmt.Errorf("acted %s: state %v is not a result", p.Path, r.State)
	}
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return err
	}
	e := q.byPath[p.Path]
	if e == nil || e.id != p.id || e.State != Done || !e.acting() {
		q.mu.Unlock()
		return fmt.Errorf("acted %s: %w", p.Path, ErrNoAction)
	}
	now := canonical(q.now())
	a := *e.act()
	a.state, a.at, a.dest = r.State, now, ""
	if r.State == ActDone && a.action == ActionMove {
		a.dest = r.Dest
	}
	if r.State != ActFailed {
		a.fileID = "" // needed only to act
	}
	q.account(e, -1)
	e.setAct(&a)
	e.setLastError(clip(r.Reason))
	if r.State == ActDone {
		e.setExt(e.disk(), time.Time{}) // gone on purpose: not a missing file
	}
	q.account(e, 1)
	o := q.submit([]mutation{putJob(e)})
	q.mu.Unlock()
	return o.wait()
}

// ActionFailures returns up to limit done files whose after-upload
// action failed at its last try (ActFailed), most recent try first; limit
// <= 0 means all. Error is the reason the Actor recorded (with its fix),
// At when that try failed, Action the action, Attempts 0. A file leaves the list once its
// action is done or skipped, or a new version of it is uploaded.
func (q *Queue) ActionFailures(limit int) ([]Failure, error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil, ErrClosed
	}
	out := make([]Failure, 0, q.actCounts.Failed)
	for e := range q.acting {
		if a := e.act(); a.state == ActFailed {
			out = append(out, Failure{Path: e.Path, Error: e.lastError(), At: a.at, Action: a.action})
		}
	}
	q.mu.Unlock()
	slices.SortFunc(out, func(a, b Failure) int {
		return cmp.Or(b.At.Compare(a.At), strings.Compare(a.Path, b.Path))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ActionCounts returns the done records by the state of their action.
func (q *Queue) ActionCounts() ActionCounts {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.actCounts
}

// acting reports whether e's action is still to be carried out.
func (e *entry) acting() bool {
	a := e.act()
	return a != nil && (a.state == ActPending || a.state == ActFailed)
}

// actedOn reports whether the action moved or deleted e's file: a scan
// that does not find it is no sign of a volume gone away.
func (e *entry) actedOn() bool {
	a := e.act()
	return a != nil && a.state == ActDone
}

// accountAction adds (sign 1) or removes (sign -1) a Done entry's share
// of the action counts and of the acting set. q.mu held; called by
// account.
func (q *Queue) accountAction(e *entry, sign int) {
	a := e.act()
	if a == nil {
		return
	}
	c := &q.actCounts
	switch a.state {
	case ActPending:
		c.Pending += sign
	case ActFailed:
		c.Failed += sign
	case ActDone:
		c.Done += sign
	case ActSkipped:
		c.Skipped += sign
	}
	if !e.acting() {
		return
	}
	if sign > 0 {
		q.acting[e] = struct{}{}
	} else {
		delete(q.acting, e)
	}
}

// appendAct encodes format 4's fields (record.go).
func appendAct(b []byte, a *actionExt) []byte {
	b = append(b, byte(a.action)<<4|byte(a.state))
	b = appendTime(b, a.at)
	b = appendString(b, a.fileID)
	return appendString(b, a.dest)
}

// format4 reads the action format 4 adds.
func (d *decoder) format4(r *record) {
	c := d.byte()
	a := actionExt{action: Action(c >> 4), state: ActState(c & 0xf)}
	a.at = d.time()
	a.fileID = d.string()
	a.dest = d.string()
	switch {
	case d.err != nil:
		return
	case a.action == ActionKeep || a.action >= actionLimit:
		d.fail("unknown after-upload action %d", a.action)
	case a.state == 0 || a.state >= actLimit:
		d.fail("unknown action state %d", a.state)
	case (a.state == ActPending || a.state == ActFailed) && len(a.fileID) != 16:
		d.fail("action %v without a file identity", a.state)
	case a.fileID != "" && len(a.fileID) != 16:
		d.fail("file identity of %d bytes", len(a.fileID))
	case a.dest != "" && (a.action != ActionMove || a.state != ActDone):
		d.fail("destination on a %v %v", a.action, a.state)
	}
	if d.err == nil {
		r.setAct(&a)
	}
}
