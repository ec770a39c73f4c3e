package uploader

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/odailies/odailies-uploader/queue"
)

// errWorkerFree ends a lane's Lease because a worker came free: that
// worker takes the next job of the first class, so the lane steps back.
var errWorkerFree = errors.New("a worker came free")

// lane is the extra upload slot of Options.FirstClass (doc.go, Thumbnails
// first). It counts the workers that hold a job of another class; the
// lane leases only while every worker does.
type lane struct {
	class   string
	workers int

	mu      sync.Mutex
	others  int           // workers holding a job outside class
	changed chan struct{} // closed and replaced when others changes
}

func newLane(class string, workers int) *lane {
	return &lane{class: class, workers: workers, changed: make(chan struct{})}
}

// hold notes that a worker leased the job at path. It reports whether the
// job counts against the lane (it is of another class); the worker calls
// drop when it is done with a job that did.
func (l *lane) hold(path string) bool {
	if l == nil || classOf(path) == l.class {
		return false
	}
	l.add(1)
	return true
}

func (l *lane) drop() { l.add(-1) }

func (l *lane) add(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.others += n
	close(l.changed)
	l.changed = make(chan struct{})
}

// whenFull waits until every worker holds a job of another class. It
// returns a context that ends when one of them lets go of it, or when stop
// ends; the caller must cancel it.
func (l *lane) whenFull(stop context.Context) (context.Context, context.CancelFunc, error) {
	return waitFull(stop, func() (bool, chan struct{}) {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.others >= l.workers, l.changed
	})
}

// waitFull waits until look reports full, asking again each time the
// channel look returned with it is closed (every change closes it). Once
// full, the only change is a holder letting go, so the context returned
// ends at the next close, or when stop ends; the caller must cancel it.
func waitFull(stop context.Context, look func() (full bool, changed chan struct{})) (context.Context, context.CancelFunc, error) {
	for {
		full, changed := look()
		if full {
			ctx, cancel := context.WithCancel(stop)
			go func() {
				select {
				case <-changed:
					cancel()
				case <-ctx.Done():
				}
			}()
			return ctx, cancel, nil
		}
		select {
		case <-stop.Done():
			return nil, nil, stop.Err()
		case <-changed:
		}
	}
}

// classOf is a job path's class: its first segment.
func classOf(path string) string {
	class, _, _ := strings.Cut(path, "/")
	return class
}

// lease is how a worker gets its next job: any class in the queue's
// order, or, for the lane, a job of the first class while every worker
// carries other work (errWorkerFree when that stops being so).
func (u *Uploader) lease(stop context.Context, isLane bool) (queue.Job, error) {
	if !isLane {
		return u.jobs.Lease(stop, queue.LeaseOptions{})
	}
	whenFull := u.lane.whenFull
	if u.o.Shared != nil {
		whenFull = u.o.Shared.slots.whenFull // every show's workers, not this one's
	}
	ctx, cancel, err := whenFull(stop)
	if err != nil {
		return queue.Job{}, err
	}
	defer cancel()
	job, err := u.jobs.Lease(ctx, queue.LeaseOptions{Class: u.lane.class})
	if err != nil && ctx.Err() != nil && stop.Err() == nil {
		return queue.Job{}, errWorkerFree
	}
	return job, err
}
