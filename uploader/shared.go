package uploader

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

// Shared is what the uploaders of several shows share in one process: the
// worker budget and the bandwidth limit (doc.go, Several shows). Build it
// once with NewShared, pass it in each show's Options.Shared, and run it
// with Run beside them.
type Shared struct {
	lim   *pacer // nil: unlimited
	slots *slots
}

// SharedOptions configures a Shared: the pool-wide fields of Options.
type SharedOptions struct {
	Workers           int   // upload slots for every show together; 0 means 4
	Bandwidth         int64 // bytes/s for every show together; 0 means unlimited
	BandwidthSchedule *Schedule
	Logger            *slog.Logger
	Now               func() time.Time
}

// NewShared returns the budget several uploaders share.
func NewShared(o SharedOptions) *Shared {
	po := Options{Workers: o.Workers, Bandwidth: o.Bandwidth, BandwidthSchedule: o.BandwidthSchedule,
		Logger: o.Logger, Now: o.Now}.withDefaults()
	return &Shared{lim: newPacer(po), slots: newSlots(po.Workers)}
}

// Run applies the bandwidth schedule until ctx ends; the uploaders that
// share the limit do not.
func (s *Shared) Run(ctx context.Context) error {
	s.lim.follow(ctx)
	return nil
}

// Workers is the upload slots shared.
func (s *Shared) Workers() int { return s.slots.budget }

// slots grants the shared upload slots to shows. A show asks for one only
// with a job in hand (so a show with nothing ready never holds one), and
// at most one of its workers asks at a time (sharedJobs.leaser). A free
// slot goes at once to whoever asks; when none is free, the next one to
// come free goes to the waiting show that holds the fewest, the one that
// has waited longest among equals. So one show alone gets every slot, and
// shows with work share them evenly as uploads end, without cutting any.
type slots struct {
	budget int

	mu      sync.Mutex
	free    int
	held    map[string]int // slots per show
	others  int            // slots carrying a job outside their show's first class
	waiting []*slotWaiter  // in order of arrival
	changed chan struct{}  // closed and replaced when others changes
}

type slotWaiter struct {
	show    string
	other   bool
	granted chan struct{} // closed on grant
}

func newSlots(budget int) *slots {
	return &slots{budget: budget, free: budget, held: map[string]int{}, changed: make(chan struct{})}
}

// acquire waits for a slot for show; other says the job it will carry is
// not of the show's first class. On ctx's end it returns ctx.Err() and
// holds nothing.
func (s *slots) acquire(ctx context.Context, show string, other bool) error {
	s.mu.Lock()
	if s.free > 0 && len(s.waiting) == 0 || s.passLocked(other) {
		s.grantLocked(show, other)
		s.mu.Unlock()
		return nil
	}
	w := &slotWaiter{show: show, other: other, granted: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	s.dispatchLocked()
	s.mu.Unlock()
	select {
	case <-w.granted:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-w.granted:
		// Granted as ctx ended: give it back.
		s.releaseLocked(show, other)
	default:
		for i, o := range s.waiting {
			if o == w {
				s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
				break
			}
		}
	}
	return ctx.Err()
}

// release gives back a slot acquired for show with the same other.
func (s *slots) release(show string, other bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked(show, other)
}

func (s *slots) releaseLocked(show string, other bool) {
	s.free++
	s.held[show]--
	if s.held[show] <= 0 {
		delete(s.held, show)
	}
	if other {
		s.addOthersLocked(-1)
	}
	s.dispatchLocked()
}

func (s *slots) grantLocked(show string, other bool) {
	s.free--
	s.held[show]++
	if other {
		s.addOthersLocked(1)
	}
}

// passLocked reports whether a job of its show's first class (other
// false) goes at once, beyond the budget: while every slot carries a job
// of another class, as the lanes do. Without it a show's waiting worker
// holding a thumbnail would wait for a clip to end while the lane sends
// the thumbnails queued after it.
func (s *slots) passLocked(other bool) bool { return !other && s.others >= s.budget }

// dispatchLocked hands slots to waiters: a first-class job at once while
// the pool is full of others (passLocked), then free slots to the show
// holding the fewest first, arrival order among equals.
func (s *slots) dispatchLocked() {
	for i := 0; i < len(s.waiting); i++ {
		if w := s.waiting[i]; s.passLocked(w.other) {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			i--
			s.grantLocked(w.show, w.other)
			close(w.granted)
		}
	}
	for s.free > 0 && len(s.waiting) > 0 {
		best := 0
		for i, w := range s.waiting {
			if s.held[w.show] < s.held[s.waiting[best].show] {
				best = i
			}
		}
		w := s.waiting[best]
		s.waiting = append(s.waiting[:best], s.waiting[best+1:]...)
		s.grantLocked(w.show, w.other)
		close(w.granted)
	}
}

func (s *slots) addOthersLocked(n int) {
	s.others += n
	close(s.changed)
	s.changed = make(chan struct{})
	if n > 0 {
		s.dispatchLocked() // the pool may be full of others now: first-class waiters pass
	}
}

// whenFull waits until every slot carries a job outside its show's first
// class: the shared form of lane.whenFull. The context it returns ends
// when one of them comes free, or when stop ends; the caller must cancel
// it.
func (s *slots) whenFull(stop context.Context) (context.Context, context.CancelFunc, error) {
	return waitFull(stop, func() (bool, chan struct{}) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.others >= s.budget, s.changed
	})
}

// sharedJobs is one show's queue as its uploader sees it under a Shared
// budget: a Lease of any class (a worker's) takes a shared slot for the
// job before returning it, and the job's outcome (Done, Retry, Fail,
// Gone, Release, Changed: exactly one per lease) gives the slot back. A
// lease of one class (the lane's) takes no slot: the lane is the show's
// extra one.
type sharedJobs struct {
	Jobs
	show  string
	first string // the show's first class; "" for none
	slots *slots

	leaser chan struct{} // one worker of the show leases at a time

	mu   sync.Mutex
	held map[uint64]bool // lease → its slot's other flag
}

func newSharedJobs(j Jobs, show, first string, s *slots) *sharedJobs {
	return &sharedJobs{Jobs: j, show: show, first: first, slots: s,
		leaser: make(chan struct{}, 1), held: map[uint64]bool{}}
}

// Lease leases the next job of the show, then waits for a shared slot for
// it. Only one worker of the show does so at a time, so a show holds at
// most one job that waits for a slot. A stop while it waits gives the job
// back to the caller with no error and no slot: the caller sees the stop
// and releases it.
func (s *sharedJobs) Lease(ctx context.Context, o queue.LeaseOptions) (queue.Job, error) {
	if o.Class != "" {
		return s.Jobs.Lease(ctx, o)
	}
	select {
	case s.leaser <- struct{}{}:
	case <-ctx.Done():
		return queue.Job{}, ctx.Err()
	}
	defer func() { <-s.leaser }()
	j, err := s.Jobs.Lease(ctx, o)
	if err != nil {
		return j, err
	}
	other := s.first == "" || classOf(j.Path) != s.first
	if s.slots.acquire(ctx, s.show, other) != nil {
		return j, nil
	}
	s.mu.Lock()
	s.held[j.Lease] = other
	s.mu.Unlock()
	return j, nil
}

// free gives back j's slot, if its lease holds one.
func (s *sharedJobs) free(j queue.Job) {
	s.mu.Lock()
	other, ok := s.held[j.Lease]
	delete(s.held, j.Lease)
	s.mu.Unlock()
	if ok {
		s.slots.release(s.show, other)
	}
}

func (s *sharedJobs) Done(j queue.Job, d queue.Delivery) error {
	defer s.free(j)
	return s.Jobs.Done(j, d)
}

func (s *sharedJobs) Retry(j queue.Job, at time.Time, reason string) error {
	defer s.free(j)
	return s.Jobs.Retry(j, at, reason)
}

func (s *sharedJobs) Fail(j queue.Job, reason string) error {
	defer s.free(j)
	return s.Jobs.Fail(j, reason)
}

func (s *sharedJobs) Gone(j queue.Job) error {
	defer s.free(j)
	return s.Jobs.Gone(j)
}

func (s *sharedJobs) Release(j queue.Job) error {
	defer s.free(j)
	return s.Jobs.Release(j)
}

func (s *sharedJobs) Changed(j queue.Job) error {
	defer s.free(j)
	return s.Jobs.Changed(j)
}
