package afterupload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

// Records is what the Actor needs of the queue.
type Records interface {
	PendingActions() ([]queue.PendingAction, error)
	Acted(queue.PendingAction, queue.ActResult) error
}

// Options configure an Actor.
type Options struct {
	Root   string       // the watch root, absolute
	Action queue.Action // watch.after_upload now; a pending action of another kind is skipped
	Dir    string       // watch.after_upload_dir, absolute; used by ActionMove
	// RetryEvery is how often failed actions are tried again; 0 means 5m.
	RetryEvery time.Duration
	// Forget, when not nil, is told the paths (as queue paths) an action
	// is about to move or delete, so the watcher takes them for files that
	// went on purpose, not for a volume gone away.
	Forget func(paths []string)
	// Hold, when not nil, is called before each action and must return
	// before the action is carried out (ctx ending stops the Actor). Test
	// hook: nil in production.
	Hold   func(ctx context.Context)
	Logger *slog.Logger
}

// DefaultRetryEvery is Options.RetryEvery's default.
const DefaultRetryEvery = 5 * time.Minute

// Actor carries out pending after-upload actions. Build it with New, run
// it with Run; Kick after a Done that recorded an action.
type Actor struct {
	r    Records
	o    Options
	log  *slog.Logger
	kick chan struct{}
	// failed remembers, per path, the reason last logged, so a failure
	// tried again is logged once, not every RetryEvery.
	failed map[string]string

	tryNow chan struct{} // TryFailed's request for a full pass
	mu     sync.Mutex
	asked  uint64 // tickets handed out by TryFailed
	served uint64 // the last ticket a full pass started after has served
	ran    bool   // the first full pass has finished
}

// New returns an Actor over r.
func New(r Records, o Options) *Actor {
	if o.RetryEvery <= 0 {
		o.RetryEvery = DefaultRetryEvery
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Actor{r: r, o: o, log: o.Logger, kick: make(chan struct{}, 1), failed: make(map[string]string),
		tryNow: make(chan struct{}, 1)}
}

// TryFailed asks Run for a pass over every listed action, the failed ones
// included, as soon as the pass under way (if any) ends, and returns a
// ticket for Tried. It never blocks. sync uses it to try failed actions
// once more before it ends, instead of waiting for RetryEvery.
func (a *Actor) TryFailed() uint64 {
	a.mu.Lock()
	a.asked++
	t := a.asked
	a.mu.Unlock()
	select {
	case a.tryNow <- struct{}{}:
	default:
	}
	return t
}

// Tried reports whether a pass over every action, begun after the
// TryFailed call that gave ticket t, has finished. The first pass of Run
// (what a crash or an earlier run left, failed actions included) serves
// ticket 0.
func (a *Actor) Tried(t uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ran && a.served >= t
}

// Kick says a pending action was recorded; it never blocks.
func (a *Actor) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Run carries out what is pending at start (what a crash left, and what
// failed before), then what each Kick brings, and tries failed actions
// again every RetryEvery and when TryFailed asks, until ctx ends (nil) or
// the queue fails.
func (a *Actor) Run(ctx context.Context) error {
	retry := time.NewTicker(a.o.RetryEvery)
	defer retry.Stop()
	withFailed := true
	for {
		var ticket uint64
		if withFailed {
			a.mu.Lock()
			ticket = a.asked
			a.mu.Unlock()
		}
		if err := a.pass(ctx, withFailed); err != nil {
			if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
				return nil
			}
			return err
		}
		if withFailed && ctx.Err() == nil { // a pass cut short by ctx tried nothing for sure
			a.mu.Lock()
			a.served, a.ran = max(a.served, ticket), true
			a.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-a.kick:
			withFailed = false
		case <-retry.C:
			withFailed = true
		case <-a.tryNow:
			withFailed = true
		}
	}
}

// pass carries out every pending action, and the failed ones too when
// withFailed.
func (a *Actor) pass(ctx context.Context, withFailed bool) error {
	list, err := a.r.PendingActions()
	if err != nil {
		return fmt.Errorf("list after-upload actions: %w", err)
	}
	for _, p := range list {
		if ctx.Err() != nil {
			return nil
		}
		if p.State == queue.ActFailed && !withFailed {
			continue
		}
		if a.o.Hold != nil {
			a.o.Hold(ctx)
			if ctx.Err() != nil {
				return nil
			}
		}
		res := a.act(p)
		if err := a.r.Acted(p, res); err != nil {
			if errors.Is(err, queue.ErrNoAction) {
				continue // a new version replaced it meanwhile
			}
			return fmt.Errorf("record the after-upload action of %s: %w", p.Path, err)
		}
		a.logResult(p, res)
	}
	return nil
}

func (a *Actor) logResult(p queue.PendingAction, r queue.ActResult) {
	switch r.State {
	case queue.ActDone:
		delete(a.failed, p.Path)
		if p.Action == queue.ActionMove {
			a.log.Info(fmt.Sprintf("moved %s to %s", p.Path, r.Dest), "path", p.Path, "to", r.Dest)
		} else {
			a.log.Info(fmt.Sprintf("deleted %s after its upload", p.Path), "path", p.Path)
		}
	case queue.ActSkipped:
		delete(a.failed, p.Path)
		a.log.Warn(fmt.Sprintf("left %s where it is: %s", p.Path, r.Reason), "path", p.Path, "action", p.Action.String())
	case queue.ActFailed:
		if a.failed[p.Path] == r.Reason {
			a.log.Debug("after-upload action failed again", "path", p.Path, "why", r.Reason)
			return
		}
		a.failed[p.Path] = r.Reason
		a.log.Error(fmt.Sprintf("could not %s %s", p.Action, p.Path), "path", p.Path, "why", r.Reason,
			"retry", fmt.Sprintf("every %s and at start", a.o.RetryEvery))
	}
}
