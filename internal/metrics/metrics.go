package metrics

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "odailies_uploader"

// Snapshot is one show's state at scrape time.
type Snapshot struct {
	Queued, Active, Done, Failed, Gone, Missing int
	QueuedBytes, ActiveBytes, DoneBytes         int64

	Health         string // status.json's state: "running", "auth-error", …
	BandwidthLimit int64  // bytes per second in force; 0 unlimited
	WatcherMode    string // the watcher's Status.Mode
	LastScan       time.Time
	OldestQueued   time.Time // when the oldest queued file was queued; zero: none
}

// ShowSource names a show and reads its Snapshot.
type ShowSource struct {
	Name string
	Read func() Snapshot
}

// Options configures Metrics. The zero value is usable.
type Options struct {
	Now func() time.Time // nil: time.Now
}

// Metrics is the registry behind /metrics.
type Metrics struct {
	reg     *prometheus.Registry
	files   *prometheus.CounterVec
	bytes   *prometheus.CounterVec
	failed  *prometheus.CounterVec
	retries *prometheus.CounterVec
	putDur  *prometheus.HistogramVec
	putSize *prometheus.HistogramVec
	now     func() time.Time

	mu    sync.Mutex
	shows []ShowSource
}

// New registers the series of every show in sources.
func New(sources []ShowSource, o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Metrics{reg: prometheus.NewRegistry(), now: o.Now}
	show := []string{"watch"}
	m.files = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
		Name: "uploaded_files_total", Help: "Files uploaded and recorded done since start."}, show)
	m.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
		Name: "uploaded_bytes_total", Help: "Bytes of the files uploaded since start."}, show)
	m.failed = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
		Name: "failed_files_total", Help: "Files that failed for good since start, by reason class."},
		[]string{"watch", "reason"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
		Name: "retries_total", Help: "Retries scheduled since start, by reason class."},
		[]string{"watch", "reason"})
	m.putDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace,
		Name: "put_duration_seconds", Help: "Duration of one PUT request, its start to the storage's answer.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}}, show)
	m.putSize = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace,
		Name: "put_size_bytes", Help: "Body size of one PUT request.",
		Buckets: prometheus.ExponentialBuckets(64<<10, 4, 10)}, show) // 64 KiB … 16 GiB
	m.reg.MustRegister(m.files, m.bytes, m.failed, m.retries, m.putDur, m.putSize, collector{m})
	for _, s := range sources {
		m.Add(s)
	}
	return m
}

// Add adds a show's gauges, read at each scrape from then on.
func (m *Metrics) Add(s ShowSource) {
	m.mu.Lock()
	m.shows = append(m.shows, s)
	m.mu.Unlock()
	// Every show's counters exist from the start at 0, so a rate over
	// the first upload is not lost to a series that appears with it.
	m.files.WithLabelValues(s.Name)
	m.bytes.WithLabelValues(s.Name)
}

func (m *Metrics) sources() []ShowSource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.shows)
}

// Handler serves the text format (gzip when asked); errors of one
// collector are logged in the answer's place by promhttp, not fatal.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Registry is the registry, for tests and for a caller that adds its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Show is the recorder of show name's outcomes.
func (m *Metrics) Show(name string) *Show { return &Show{m: m, name: name} }

// Show records one show's outcomes as they happen. Its methods are safe
// for concurrent use; a nil *Show records nothing.
type Show struct {
	m    *Metrics
	name string
}

// Uploaded counts a file done.
func (s *Show) Uploaded(size int64) {
	if s == nil {
		return
	}
	s.m.files.WithLabelValues(s.name).Inc()
	s.m.bytes.WithLabelValues(s.name).Add(float64(size))
}

// Failed counts a file failed for good, by the class of reason.
func (s *Show) Failed(reason string) {
	if s == nil {
		return
	}
	s.m.failed.WithLabelValues(s.name, Class(reason)).Inc()
}

// Retried counts a retry scheduled, by the class of reason.
func (s *Show) Retried(reason string) {
	if s == nil {
		return
	}
	s.m.retries.WithLabelValues(s.name, Class(reason)).Inc()
}

// Put observes one PUT request.
func (s *Show) Put(took time.Duration, size int64) {
	if s == nil {
		return
	}
	s.m.putDur.WithLabelValues(s.name).Observe(took.Seconds())
	s.m.putSize.WithLabelValues(s.name).Observe(float64(size))
}

// watcherMode is the mode label for the watcher's Status.Mode.
func watcherMode(mode string) string {
	switch {
	case strings.Contains(mode, "fallback"):
		return "poll-fallback"
	case strings.HasPrefix(mode, "poll"):
		return "poll"
	case mode == "":
		return "starting"
	}
	return "events"
}
