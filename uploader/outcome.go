package uploader

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// verdict is what becomes of a leased job.
type verdict uint8

const (
	verdictDone    verdict = iota + 1 // sent with a 2xx and unchanged since
	verdictRetry                      // try again at outcome.at
	verdictFail                       // give up until the user retries it
	verdictGone                       // the file vanished
	verdictChanged                    // the file changed; its new version will be queued
	verdictRelease                    // back to the queue as it was: stopping, or signing paused
)

type outcome struct {
	verdict  verdict
	delivery queue.Delivery // verdictDone: what the answer proved
	at       time.Time      // verdictRetry: when
	reason   string         // why (never holds a secret)
	hint     string         // verdictFail: what the user can do
}

const (
	hintRetry = "fix the cause, then run 'odailies-uploader retry'"
	hintSize  = "export the clip in parts smaller than the limit; the storage takes single uploads only"
	hintPath  = "this job names a file outside the watch root; check what queued it"
)

func done(d queue.Delivery) outcome { return outcome{verdict: verdictDone, delivery: d} }
func gone(reason string) outcome    { return outcome{verdict: verdictGone, reason: reason} }
func changed(reason string) outcome { return outcome{verdict: verdictChanged, reason: reason} }
func release(reason string) outcome { return outcome{verdict: verdictRelease, reason: reason} }
func fail(reason, hint string) outcome {
	return outcome{verdict: verdictFail, reason: reason, hint: hint}
}

// transient schedules a retry after backoff, or fails the job once it has
// had MaxAttempts tries.
func (u *Uploader) transient(job queue.Job, err error) outcome {
	n := job.Attempts + 1
	if n >= u.o.MaxAttempts {
		return fail(fmt.Sprintf("gave up after %d attempts: %v", n, err), hintRetry)
	}
	return outcome{verdict: verdictRetry, at: u.o.Now().Add(u.backoff(n)), reason: err.Error()}
}

// slowDown retries when the server asked to be asked again; without a
// Retry-After it is an ordinary transient failure.
func (u *Uploader) slowDown(job queue.Job, err error) outcome {
	d, ok := odailies.RetryAfter(err)
	if !ok {
		return u.transient(job, err)
	}
	return outcome{verdict: verdictRetry, at: u.o.Now().Add(d), reason: err.Error()}
}

// backoff is the wait before attempt n+1 (n >= 1): RetryMin doubled n-1
// times, capped at RetryMax, then jittered down by up to half so that jobs
// failed together do not come back together.
func (u *Uploader) backoff(n int) time.Duration {
	d := u.o.RetryMin
	for i := 1; i < n && d < u.o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, u.o.RetryMax)
	half := d / 2
	return d - half + rand.N(half+1)
}

// apply hands the outcome to the queue and writes the status log line.
// A stale lease (a newer version was queued meanwhile) drops the result.
func (u *Uploader) apply(job queue.Job, o outcome, took time.Duration) error {
	if o.verdict != verdictRetry && o.verdict != verdictRelease {
		u.urls.forget(job.ID)
	}
	err := u.record(job, o)
	if errors.Is(err, queue.ErrStale) {
		u.log.Debug("result dropped: the job's lease is stale", "path", job.Path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("record the result for %s: %w", job.Path, err)
	}
	u.logOutcome(job, o, took)
	return nil
}

func (u *Uploader) record(job queue.Job, o outcome) error {
	switch o.verdict {
	case verdictDone:
		return u.jobs.Done(job, o.delivery)
	case verdictRetry:
		return u.jobs.Retry(job, o.at, o.reason)
	case verdictFail:
		return u.jobs.Fail(job, o.reason)
	case verdictGone:
		return u.jobs.Gone(job)
	case verdictChanged:
		return u.jobs.Changed(job)
	}
	return u.jobs.Release(job)
}

func (u *Uploader) logOutcome(job queue.Job, o outcome, took time.Duration) {
	switch o.verdict {
	case verdictDone:
		u.stats.finished(job.Size, u.o.Now())
		u.log.Info("uploaded", "path", job.Path, "size", job.Size, "took", took.Round(time.Millisecond),
			"rate", fmtRate(job.Size, took), "verified", verifiedText(o.delivery))
	case verdictRetry:
		u.log.Warn("upload will be retried", "path", job.Path, "attempt", job.Attempts+1,
			"at", o.at.UTC().Format(time.RFC3339), "why", o.reason)
	case verdictFail:
		u.log.Error("upload failed", "path", job.Path, "why", o.reason, "fix", o.hint)
	case verdictGone:
		u.log.Info("file vanished before upload", "path", job.Path, "why", o.reason)
	case verdictChanged:
		u.log.Info("file changed; its new version will be uploaded", "path", job.Path, "why", o.reason)
	default:
		u.log.Debug("job released", "path", job.Path, "why", o.reason)
	}
}

// fmtRate prints the rate of one upload in the project's units.
func fmtRate(size int64, took time.Duration) string {
	if took <= 0 {
		return "-"
	}
	return units.Rate(float64(size) / took.Seconds())
}
