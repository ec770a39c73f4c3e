package uploader

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// gate holds signing for the whole pool while the API has a problem that
// is not any one file's: a refused token, an unknown project, an API that
// cannot be reached or asks to slow down. While it is closed no worker
// leases a job; when its wait is over, one probe signs the path that
// closed it, and only a good answer opens it again. So a closed gate costs
// at most one sign request per wait, however many jobs are queued.
type gate struct {
	signer  Signer
	recheck time.Duration
	backoff func(n int) time.Duration
	base    string // Options.APIBaseURL: the API's name in details
	source  string // Options.TokenSource: where the token came from
	show    string // Options.Name with Shared: the gate pauses that show only
	log     *slog.Logger

	mu        sync.Mutex
	closed    bool
	mustProbe bool      // reopen only after a probe succeeds (else when until passes)
	until     time.Time // no sign request before this (monotonic clock)
	probing   bool
	trigger   probeJob // what the probe signs
	fails     int      // consecutive probes/signs that could not reach the API
	health    Health
	detail    string
	changed   chan struct{} // closed and replaced when the gate opens or a probe ends
	onProbe   func(probeJob, odailies.SignedURL)
}

// probeJob is the job whose sign request closed the gate.
type probeJob struct {
	id   uint64
	path string
}

func newGate(s Signer, recheck time.Duration, backoff func(int) time.Duration, base string, log *slog.Logger) *gate {
	return &gate{signer: s, recheck: recheck, backoff: backoff, base: base, log: log,
		health: HealthOK, changed: make(chan struct{})}
}

// wait returns once workers may sign, probing the API itself when the
// gate is closed and its wait is over. It fails once ctx ends, whatever
// the gate's state: a probe cut by the stop must not be followed by
// another (each would return at once, and the loop would spin).
func (g *gate) wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		left, changed, job, probe := g.next()
		switch {
		case changed == nil:
			return nil
		case probe:
			g.probe(ctx, job)
		default:
			if err := sleep(ctx, left, changed); err != nil {
				return err
			}
		}
	}
}

// next says what a waiting worker does: go on (changed nil), probe job
// (probe true, the probe is now its own), or sleep for left (forever if
// left <= 0) or until changed.
func (g *gate) next() (left time.Duration, changed chan struct{}, job probeJob, probe bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	left = time.Until(g.until)
	switch {
	case !g.closed:
		return 0, nil, probeJob{}, false
	case left <= 0 && !g.mustProbe:
		g.closed = false
		return 0, nil, probeJob{}, false
	case left <= 0 && !g.probing:
		g.probing = true
		return 0, g.changed, g.trigger, true
	}
	return left, g.changed, probeJob{}, false
}

// sleep waits for d (forever if d <= 0), for changed, or for ctx.
func sleep(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	var tick <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		tick = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-tick:
	}
	return nil
}

// probe signs job's path once. A probe cut by ctx leaves the gate closed
// and wakes the other waiters, who see ctx ended too.
func (g *gate) probe(ctx context.Context, job probeJob) {
	su, err := g.signer.SignUpload(ctx, job.path)
	if ctx.Err() != nil {
		g.mu.Lock()
		g.probing = false
		g.broadcast()
		g.mu.Unlock()
		return
	}
	g.report(job, err)
	if err == nil && g.onProbe != nil {
		g.onProbe(job, su)
	}
}

// open reports whether a worker holding a leased job may sign it now.
func (g *gate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed
}

// report records the result of a sign request.
func (g *gate) report(job probeJob, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
	health, wait, detail, mustProbe := g.classify(job.path, err)
	if health == "" {
		// The API answered: whatever it said, it is not a pool-wide problem.
		g.fails = 0
		g.closed = false
		g.setHealth(HealthOK, "")
		g.broadcast()
		return
	}
	g.closed, g.mustProbe = true, mustProbe
	g.until = time.Now().Add(wait)
	g.trigger = job
	g.setHealth(health, detail)
	g.broadcast()
}

func (g *gate) broadcast() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *gate) state() (health Health, detail string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.health, g.detail
}

// fmtDur prints a duration without zero tails ("2m", not "2m0s").
func fmtDur(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(time.Second)
	} else {
		d = d.Round(time.Millisecond)
	}
	s := d.String()
	for _, tail := range []string{"m0s", "h0m"} {
		if len(s) > len(tail) && s[len(s)-len(tail):] == tail {
			s = s[:len(s)-len(tail)+1]
		}
	}
	return s
}
