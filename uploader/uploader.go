package uploader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odailies/odailies-uploader/odailies"
)

// Uploader is the worker pool. Build it with New and start it with Run.
type Uploader struct {
	signer Signer
	jobs   Jobs
	o      Options
	log    *slog.Logger
	client *http.Client // Options.HTTPClient with the PUT's redirect policy and tracing
	lim    *pacer       // nil: unlimited
	gate   *gate
	urls   *urlCache
	stats  *stats
	lane   *lane // nil without Options.FirstClass
	sums   *digests
	ahead  *signAhead
}

// New returns an uploader that signs with s and takes its work from j.
func New(s Signer, j Jobs, o Options) *Uploader {
	o = o.withDefaults()
	u := &Uploader{jobs: j, o: o, log: o.Logger, urls: newURLCache(), stats: newStats(o.Now()), sums: newDigests(4 * (o.Workers + 1)), ahead: newSignAhead(o.Workers),
		client: putClient(o.HTTPClient, o.AllowInsecureStorage)}
	if o.FirstClass != "" {
		u.lane = newLane(o.FirstClass, o.Workers)
	}
	u.signer = notingSigner{Signer: s, note: u.noteFailure, base: o.APIBaseURL}
	u.lim = newPacer(o)
	if o.Shared != nil {
		// One show of several (doc.go, Several shows): the slots and the
		// bandwidth limit are the process's, not this pool's.
		u.lim = o.Shared.lim
		u.jobs = newSharedJobs(j, o.Name, o.FirstClass, o.Shared.slots)
	}
	u.gate = newGate(u.signer, o.AuthRecheck, u.backoff, o.APIBaseURL, o.Logger)
	u.gate.source = o.TokenSource
	if o.Shared != nil {
		u.gate.show = o.Name
	}
	u.gate.onProbe = func(p probeJob, su odailies.SignedURL) { u.urls.put(p.id, p.path, su, u.o.Now()) }
	return u
}

// noteFailure records text as the pool's last error.
func (u *Uploader) noteFailure(text string) { u.stats.failed(text, u.o.Now()) }

// Run uploads until ctx ends, then stops leasing, lets PUTs in flight
// finish for up to StopGrace, cuts the rest and releases their jobs. It
// returns nil after such a clean stop, and an error when the queue fails.
func (u *Uploader) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	work, cancel := graceContext(gctx, u.o.StopGrace)
	defer cancel()
	rec := &outcomeWriter{g: g, slots: make(chan struct{}, maxUnrecorded)}
	if u.o.Shared == nil {
		g.Go(func() error { u.lim.follow(gctx); return nil })
	}
	if u.o.Verify != VerifyNone {
		g.Go(func() error { u.hashAhead(gctx); return nil })
	}
	g.Go(func() error { u.signAheadLoop(gctx); return nil })
	for range u.o.Workers {
		g.Go(func() error { return u.worker(gctx, work, false, rec) })
	}
	if u.lane != nil {
		g.Go(func() error { return u.worker(gctx, work, true, rec) })
	}
	err := g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// graceContext is ctx's values without its cancellation: it ends grace
// after ctx does, with errStopping as its cause.
func graceContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopAfter := context.AfterFunc(ctx, func() {
		time.AfterFunc(grace, func() { cancel(errStopping) })
	})
	return work, func() {
		stopAfter()
		cancel(nil)
	}
}

// worker leases and processes jobs one at a time until stop ends; isLane
// makes it the first class's lane (lane.go). Jobs are leased one by one,
// not fed through a channel: a job waiting in a buffer would hold a lease
// nobody works on.
func (u *Uploader) worker(stop, work context.Context, isLane bool, rec *outcomeWriter) error {
	for {
		if err := u.gate.wait(stop); err != nil {
			return nil
		}
		job, err := u.lease(stop, isLane)
		if stop.Err() != nil {
			if err == nil {
				return u.apply(job, release("stopping"), 0)
			}
			return nil
		}
		if errors.Is(err, errWorkerFree) {
			continue
		}
		if err != nil {
			return fmt.Errorf("lease a job: %w", err)
		}
		u.ahead.leased(job, time.Now()) // its URL, if signed ahead, is the job's; the next ones can be signed
		held := !isLane && u.lane.hold(job.Path)
		start := time.Now()
		o := u.process(stop, work, job)
		u.ahead.forget(job.ID)
		took := time.Since(start)
		if held {
			u.lane.drop()
		}
		rec.do(func() error { return u.apply(job, o, took) })
	}
}

// maxUnrecorded bounds outcomes handed to the queue but not yet durable.
// The queue commits outcomes once half this many are pending (its
// lazyBatch), so workers do not wait for a slot while outcomes gather.
const maxUnrecorded = 64

// outcomeWriter writes outcomes to the queue without holding up the worker:
// the queue makes each write durable in batches (group commit), and a
// worker waiting for the fsync would leave the link idle. Run's errgroup
// waits for every write, so a stop still releases every lease before Run
// returns, and a queue error still ends Run.
type outcomeWriter struct {
	g     *errgroup.Group
	slots chan struct{}
}

func (r *outcomeWriter) do(write func() error) {
	r.slots <- struct{}{}
	r.g.Go(func() error {
		defer func() { <-r.slots }()
		return write()
	})
}
