package uploader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// Health values of Snapshot.Health.
const (
	HealthOK       = "ok"
	HealthAuth     = "auth-error" // 401/403 on signing: the token
	HealthNotFound = "not-found"  // 404 on signing: the project (or the base URL)
	HealthOffline  = "offline"    // the API cannot be reached
	HealthSlowDown = "slow-down"  // the API asked for fewer requests
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
	log     *slog.Logger

	mu        sync.Mutex
	closed    bool
	mustProbe bool      // reopen only after a probe succeeds (else when until passes)
	until     time.Time // no sign request before this (monotonic clock)
	probing   bool
	trigger   probeJob // what the probe signs
	fails     int      // consecutive probes/signs that could not reach the API
	health    string
	detail    string
	changed   chan struct{} // closed and replaced when the gate opens or a probe ends
	onProbe   func(probeJob, odailies.SignedURL)
}

// probeJob is the job whose sign request closed the gate.
type probeJob struct {
	id   uint64
	path string
}

func newGate(s Signer, recheck time.Duration, backoff func(int) time.Duration, log *slog.Logger) *gate {
	return &gate{signer: s, recheck: recheck, backoff: backoff, log: log,
		health: HealthOK, changed: make(chan struct{})}
}

// wait returns once workers may sign, probing the API itself when the
// gate is closed and its wait is over. It fails only when ctx ends.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		left := time.Until(g.until)
		if !g.closed {
			g.mu.Unlock()
			return nil
		}
		if left <= 0 && !g.mustProbe {
			g.closed = false
			g.mu.Unlock()
			return nil
		}
		if left <= 0 && !g.probing {
			g.probing = true
			job := g.trigger
			g.mu.Unlock()
			g.probe(ctx, job)
			continue
		}
		changed := g.changed
		g.mu.Unlock()
		if err := sleep(ctx, left, changed); err != nil {
			return err
		}
	}
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
	health, wait, detail, mustProbe := g.classify(err)
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

// classify names the pool-wide problem err shows, if any, with how long to
// hold signing, what the user should do about it, and whether only a
// successful probe may end the hold.
func (g *gate) classify(err error) (health string, wait time.Duration, detail string, mustProbe bool) {
	if health, wait, detail = g.pause(err); health != "" {
		return health, wait, detail, true
	}
	if odailies.IsTransient(err) {
		// 5xx, 408, an answer that is not the API's: maybe only this
		// path; hold the pool a while, and the job takes a retry.
		g.fails++
		d := g.backoff(g.fails)
		return HealthOffline, d, fmt.Sprintf("the oDailies API is failing (%v); trying again in %s", err, fmtDur(d)), false
	}
	return "", 0, "", false
}

// pause names the problems only a good probe clears.
func (g *gate) pause(err error) (health string, wait time.Duration, detail string) {
	recheck := fmtDur(g.recheck)
	switch {
	case err == nil:
		return "", 0, ""
	case odailies.StatusCode(err) == 401:
		return HealthAuth, g.recheck, "the API does not accept the token in api.token (401): " +
			"check it for typos or issue a new one; signing is re-checked every " + recheck
	case odailies.IsAuth(err):
		return HealthAuth, g.recheck, "the token in api.token lacks the Upload permission, or project_id is wrong (403): " +
			"grant Upload to the token or fix project_id; signing is re-checked every " + recheck
	case odailies.IsNotFound(err):
		return HealthNotFound, g.recheck, "the API does not know this project (404): check project_id and api.base_url; " +
			"signing is re-checked every " + recheck
	case odailies.IsSlowDown(err):
		d, ok := odailies.RetryAfter(err)
		if !ok {
			g.fails++
			d = g.backoff(g.fails)
		}
		return HealthSlowDown, d, "the API asked for fewer requests; signing resumes in " + fmtDur(d)
	case isNetwork(err):
		g.fails++
		d := g.backoff(g.fails)
		return HealthOffline, d, fmt.Sprintf("cannot reach the oDailies API (%v): check the network, proxy "+
			"and api.base_url; trying again in %s", err, fmtDur(d))
	}
	return "", 0, ""
}

// isNetwork reports errors that say nothing about the file: the API could
// not be reached at all.
func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && odailies.StatusCode(err) == 0
}

func (g *gate) setHealth(health, detail string) {
	if g.health == health {
		g.detail = detail
		return
	}
	g.health, g.detail = health, detail
	if health == HealthOK {
		g.log.Info("signing works again; uploads resume")
		return
	}
	g.log.Warn("signing paused for all uploads", "health", health, "why", detail)
}

func (g *gate) broadcast() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *gate) state() (health, detail string) {
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
