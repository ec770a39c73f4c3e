package daemon

import (
	"context"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

// waitTick is how often Sync looks at the parts' state: three cheap reads
// under their locks. It also looks each time a queue tells it nothing is
// left to upload (looks).
const waitTick = 20 * time.Millisecond

// looks paces Sync's looks at the parts: every waitTick, and at once when
// one of the daemon's queues has nothing left (Queue.NotifyIdle), so the
// usual end is seen when it happens.
type looks struct {
	tick *time.Ticker
	idle chan struct{}
	qs   []*queue.Queue
}

func (d *Daemon) newLooks() *looks {
	l := &looks{tick: time.NewTicker(waitTick), idle: make(chan struct{}, 1)}
	for _, p := range d.parts() {
		p.queue.NotifyIdle(l.idle)
		l.qs = append(l.qs, p.queue)
	}
	return l
}

// next waits for the next look; false when ctx ends first.
func (l *looks) next(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-l.tick.C:
	case <-l.idle:
	}
	return true
}

func (l *looks) stop() {
	l.tick.Stop()
	for _, q := range l.qs {
		q.NotifyIdle(nil)
	}
}
