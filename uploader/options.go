package uploader

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// Signer asks the API where one file's bytes go. *odailies.Client is one.
type Signer interface {
	SignUpload(ctx context.Context, rel string) (odailies.SignedURL, error)
}

// Jobs is the part of the queue the pool drives. *queue.Queue is one.
type Jobs interface {
	Lease(ctx context.Context, o queue.LeaseOptions) (queue.Job, error)
	Done(queue.Job, queue.Delivery) error
	Retry(j queue.Job, at time.Time, reason string) error
	Fail(j queue.Job, reason string) error
	Gone(queue.Job) error
	Release(queue.Job) error
	Changed(queue.Job) error
	// Upcoming lists the due jobs the next Leases would hand out, without
	// leasing them: the hasher reads their files ahead (digest.go).
	Upcoming(n int) []queue.Item
}

// Options configures an Uploader. Every zero value means the default named
// beside the field.
type Options struct {
	Root string // watch root; job paths are slash-separated and relative to it

	// Name is the show's, with Shared only: the shared slots count by it,
	// and a pause of signing says it ("signing paused for show …; the
	// other shows go on"). Other log lines name the show through Logger's
	// attributes.
	Name string

	// Shared, when set, makes this pool one show of several (doc.go,
	// Several shows): its workers take upload slots from Shared's budget,
	// fairly across the shows, and its bodies go through Shared's
	// bandwidth limit, which Shared.Run applies; Workers should then be
	// Shared's budget, so a show alone can use every slot, and Bandwidth
	// and BandwidthSchedule are ignored. nil: the pool is on its own.
	Shared *Shared

	Workers int // concurrent uploads of any class; 0 means 4

	// FirstClass is the class (first path segment) that never waits for
	// another: the first folder of upload.priority, "_thumbnails" in the
	// default config. It gets an upload slot beyond Workers, used only
	// while every worker carries a job of another class (doc.go,
	// Thumbnails first); the queue must rank it (queue.Options.Priority).
	// "" means no such slot: jobs then wait for a free worker.
	FirstClass string

	RetryMin    time.Duration // first backoff; 0 means 1s
	RetryMax    time.Duration // backoff cap; 0 means 5m
	MaxAttempts int           // failed attempts after which a job fails; 0 means 20

	StallTimeout time.Duration     // no body byte sent for this long cuts the PUT; 0 means 1m
	Bandwidth    int64             // bytes/s shared by all workers; 0 means unlimited
	Headers      map[string]string // extra headers on every PUT
	MaxPutSize   int64             // single-PUT limit; 0 means 5 GiB

	// Verify is VerifyMD5 ("" too: the default), Content-MD5 on every PUT
	// and a plain-MD5 ETag compared, or VerifyNone, neither: for storage
	// that refuses the header (config upload.verify). Any other value is
	// VerifyMD5.
	Verify string

	// BandwidthSchedule, when set, is the cap instead of Bandwidth (config
	// upload.bandwidth_schedule; the config refuses both): one limit for
	// the pool that follows it in Now's wall clock, changing within a
	// second of each time it names, on uploads already running too: each
	// body reader waits on the cap in force before every chunk.
	BandwidthSchedule *Schedule

	MinURLLife  time.Duration // life a signed URL needs left to be reused; 0 means 1m
	AuthRecheck time.Duration // pause between sign attempts after 401/403/404; 0 means 2m
	StopGrace   time.Duration // how long in-flight PUTs may finish after ctx ends; 0 means 3s

	// APIBaseURL names the API in health details and Snapshot.LastError
	// ("the oDailies API at https://odailies.com/api/v1 cannot be
	// reached"); it is never requested. "" means it is read from the
	// request URL of errors that carry one (network errors do).
	APIBaseURL string

	// TokenSource names where the token came from in health details
	// ("api.token_file (/etc/…/token)", "ODAILIES_TOKEN"), so a refused
	// token names the thing to fix; "" means "api.token".
	TokenSource string

	// AllowInsecureStorage lets PUTs go to plain-http signed URLs on any
	// host (config upload.allow_insecure_storage). Without it such a URL
	// fails its job before the PUT, naming the host, since the file and
	// its signature would cross the network unencrypted; plain http to a
	// loopback host (tests, the demo) is allowed either way. It never
	// allows a redirect from https to plain http.
	AllowInsecureStorage bool

	// HTTPClient is for PUTs; nil means a client on NewTransport. The
	// uploader uses a copy of it whose CheckRedirect follows only 307 and
	// 308 (then asks the client's own), and whose transport is wrapped to
	// trace each request.
	HTTPClient *http.Client
	UserAgent  string       // "" means "odailies-uploader"
	Logger     *slog.Logger // the status log; nil discards
	Now        func() time.Time
}

// Defaults of Options, for callers that print effective settings.
const (
	DefaultWorkers      = 4
	DefaultRetryMin     = time.Second
	DefaultRetryMax     = 5 * time.Minute
	DefaultMaxAttempts  = 20
	DefaultStallTimeout = time.Minute
	DefaultMaxPutSize   = 5 << 30
	DefaultMinURLLife   = time.Minute
	DefaultAuthRecheck  = 2 * time.Minute
	DefaultStopGrace    = 3 * time.Second
	DefaultUserAgent    = "odailies-uploader"
)

func (o Options) withDefaults() Options {
	setInt(&o.Workers, DefaultWorkers)
	setDur(&o.RetryMin, DefaultRetryMin)
	setDur(&o.RetryMax, DefaultRetryMax)
	if o.RetryMax < o.RetryMin {
		o.RetryMax = o.RetryMin
	}
	setInt(&o.MaxAttempts, DefaultMaxAttempts)
	setDur(&o.StallTimeout, DefaultStallTimeout)
	setInt64(&o.MaxPutSize, DefaultMaxPutSize)
	setDur(&o.MinURLLife, DefaultMinURLLife)
	setDur(&o.AuthRecheck, DefaultAuthRecheck)
	setDur(&o.StopGrace, DefaultStopGrace)
	if o.Bandwidth < 0 {
		o.Bandwidth = 0
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: NewTransport(o.Workers)}
	}
	return o
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}

func setInt64(p *int64, def int64) {
	if *p <= 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}
