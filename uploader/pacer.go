package uploader

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/odailies/odailies-uploader/internal/units"
)

// pacer is the pool's bandwidth limit: one limiter shared by every body
// reader, waited on before each chunk, whose rate is Options.Bandwidth or
// follows Options.BandwidthSchedule.
//
// A change of rate puts a new limiter in place and wakes every reader
// waiting on the old one, which waits again on the new one: a
// rate.Limiter keeps the debt of reservations made at the old rate
// (SetLimit does not clear it), so a drop from 20 MB/s to 100 KB/s would
// otherwise stall for seconds, and a reader sleeping on a reservation at
// a low rate would keep sleeping into an unlimited period.
type pacer struct {
	sched *Schedule // nil: a constant limit
	now   func() time.Time
	log   *slog.Logger

	mu      sync.Mutex
	lim     *rate.Limiter
	limit   int64     // bytes per second in force; 0 is unlimited
	next    time.Time // when the schedule changes it next; zero: never
	changed chan struct{}
}

// newPacer is the limit Options ask for, or nil for none: no bandwidth and
// no schedule that ever caps (a schedule of "off" entries only). Body
// readers skip a nil pacer.
func newPacer(o Options) *pacer {
	p := &pacer{now: o.Now, log: o.Logger, changed: make(chan struct{})}
	switch {
	case o.BandwidthSchedule != nil && o.BandwidthSchedule.Limits():
		p.sched = o.BandwidthSchedule
		limit, next := p.sched.At(o.Now())
		p.set(limit, next)
	case o.Bandwidth > 0:
		p.set(o.Bandwidth, time.Time{})
	default:
		return nil
	}
	return p
}

// newLimiter is a limiter for limit bytes per second (0: unlimited). The
// burst is one chunk, or a second's worth when that is less.
func newLimiter(limit int64) *rate.Limiter {
	if limit <= 0 {
		return rate.NewLimiter(rate.Inf, maxChunk)
	}
	return rate.NewLimiter(rate.Limit(limit), int(min(limit, maxChunk)))
}

// set puts limit in force until next, and wakes waiting readers when it
// changed. It reports whether it did.
func (p *pacer) set(limit int64, next time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = next
	if p.lim != nil && limit == p.limit {
		return false
	}
	p.lim, p.limit = newLimiter(limit), limit
	close(p.changed)
	p.changed = make(chan struct{})
	return true
}

// state is the limit in force and when it changes next.
func (p *pacer) state() (limit int64, next time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limit, p.next
}

// snapshot is state for Snapshot, with the limit after the next change
// and whether a schedule sets it; a nil pacer is unlimited.
func (p *pacer) snapshot() (limit int64, next time.Time, nextLimit int64, scheduled bool) {
	if p == nil {
		return 0, time.Time{}, 0, false
	}
	limit, next = p.state()
	if p.sched != nil && !next.IsZero() {
		nextLimit = p.sched.limitAt(next)
	}
	return limit, next, nextLimit, p.sched != nil
}

// wait blocks until n bytes (cut to the limiter's burst) may be sent, and
// returns how many; a change of limit meanwhile makes it wait again under
// the new one.
func (p *pacer) wait(ctx context.Context, n int) (int, error) {
	for {
		p.mu.Lock()
		lim, changed := p.lim, p.changed
		p.mu.Unlock()
		if lim.Limit() == rate.Inf {
			return n, nil
		}
		n = min(n, lim.Burst())
		r := lim.ReserveN(time.Now(), n)
		d := r.Delay()
		if d == 0 {
			return n, nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
			return n, nil
		case <-changed:
			t.Stop()
			r.Cancel()
		case <-ctx.Done():
			t.Stop()
			r.Cancel()
			return 0, ctx.Err()
		}
	}
}

// maxFollowSleep bounds the wait between two looks at the schedule: the
// timer runs on the monotonic clock, which a suspended laptop or a clock
// set by hand leaves behind the wall clock the schedule is written in.
const maxFollowSleep = time.Second

// follow applies the schedule until ctx ends: each change within a second
// of the time it names (at it, while the clocks agree), on running
// uploads too. It logs each change.
func (p *pacer) follow(ctx context.Context) {
	if p == nil || p.sched == nil {
		return
	}
	limit, next := p.state()
	p.log.Info("bandwidth schedule", "cap", capText(limit), "until", untilText(next, p.sched.loc))
	for {
		wait := maxFollowSleep
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(p.now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		limit, next = p.sched.At(p.now())
		if p.set(limit, next) {
			p.log.Info("bandwidth cap changed by the schedule", "cap", capText(limit), "until", untilText(next, p.sched.loc))
		}
	}
}

// capText is a limit for the log: "20.0 MiB/s" or "unlimited".
func capText(limit int64) string {
	if limit <= 0 {
		return "unlimited"
	}
	return units.Rate(float64(limit))
}

// untilText is when the cap changes, in the schedule's wall clock.
func untilText(next time.Time, loc *time.Location) string {
	if next.IsZero() {
		return "no change ahead"
	}
	return next.In(loc).Format("Mon 2 Jan 15:04:05")
}
