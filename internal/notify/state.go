package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/odailies/odailies-uploader/internal/atomicfile"
)

// stateVersion is notify.json's format; a file of another version is
// set aside (renamed .old), never misread.
const stateVersion = 1

// state is notify.json.
type state struct {
	Version int                 `json:"version"`
	Created time.Time           `json:"created"` // first load; with Seq it makes message ids unique
	Seq     uint64              `json:"seq"`
	Outbox  []pending           `json:"outbox"`
	Health  map[string]string   `json:"health"` // show → last state notified
	Days    map[string]dayState `json:"days"`   // day folders worked on, not yet announced
}

// pending is one message for one target, not yet accepted.
type pending struct {
	Target   string    `json:"target"` // Target.key
	Event    event     `json:"event"`
	Attempts int       `json:"attempts"`
	Next     time.Time `json:"next"` // not before
}

// event is what happened. Kind says which fields are set.
type event struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	Show string    `json:"show"`
	At   time.Time `json:"at"`
	// failure
	Path, Reason, Fix string `json:",omitempty"`
	// health
	State, Was, Detail string `json:",omitempty"`
	// caught-up
	Folder     string `json:",omitempty"`
	Files      int    `json:",omitempty"`
	Unverified int    `json:",omitempty"`
	Bytes      int64  `json:",omitempty"`
}

// dayState is a day folder with work not yet announced to a target.
type dayState struct {
	Target string    `json:"target"`
	Show   string    `json:"show"`
	Folder string    `json:"folder"`
	Last   time.Time `json:"last"` // last activity
}

func load(path string) (state, error) {
	st := state{Version: stateVersion, Created: time.Now().UTC(), Health: map[string]string{}, Days: map[string]dayState{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the notification outbox %s: %w", path, err)
	}
	var got state
	if err := json.Unmarshal(b, &got); err != nil || got.Version != stateVersion {
		// Unreadable (a disk that lied about a write) or of another
		// version: keep it for a person, start empty.
		if rerr := os.Rename(path, path+".old"); rerr != nil {
			return st, fmt.Errorf("set aside the unreadable notification outbox %s: %w", path, rerr)
		}
		return st, nil
	}
	if got.Health == nil {
		got.Health = map[string]string{}
	}
	if got.Days == nil {
		got.Days = map[string]dayState{}
	}
	return got, nil
}

// save writes the state if it changed, through a temporary file synced
// before the rename. A failure is logged and tried again at the next
// tick; the state stays in memory meanwhile.
func (n *Notifier) save() {
	n.mu.Lock()
	if !n.dirty {
		n.mu.Unlock()
		return
	}
	b, err := json.Marshal(n.st)
	n.dirty = false
	n.mu.Unlock()
	if err == nil {
		err = atomicfile.Write(n.path, b)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case err == nil && n.saveErr != "":
		n.saveErr = ""
		n.o.Logger.Info("the notification outbox can be saved again", "path", n.path)
	case err == nil:
	default:
		n.dirty = true
		if err.Error() != n.saveErr { // once per kind of failure, not every tick
			n.saveErr = err.Error()
			n.o.Logger.Warn("cannot save the notification outbox; notifications due now are lost if the daemon stops before it can",
				"path", n.path, "err", err)
		}
	}
}
