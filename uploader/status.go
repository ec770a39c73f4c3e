package uploader

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is one upload in flight.
type Progress struct {
	Path      string
	BytesSent int64 // body bytes handed to the connection in this attempt
	Size      int64
}

// Snapshot is what the pool is doing, for the status file and the log.
// Every text in it is redacted: no token, no signed URL's query.
type Snapshot struct {
	Health    Health     // signing for the whole pool; HealthOK unless the API has a problem
	Detail    string     // what is wrong and what to fix, in plain words; "" when ok
	Active    []Progress // uploads in flight, sorted by path
	BytesDone int64      // bytes of the files finished since start
	Uploaded  int        // files finished since start
	Rate      float64    // body bytes sent per second over the last 10-20 s

	// Bandwidth is the cap in force in bytes per second, 0 when unlimited;
	// BandwidthNext is when the schedule changes it next (zero: no
	// schedule, or no change ahead), and BandwidthNextLimit the cap then.
	Bandwidth          int64
	BandwidthNext      time.Time
	BandwidthNextLimit int64
	BandwidthScheduled bool // the cap follows Options.BandwidthSchedule

	// LastError is the most recent failure of a sign or PUT attempt since
	// start, in plain words ("sign _graded/a.mov: the oDailies API at
	// https://odailies.com/api/v1 cannot be reached: dial tcp …: connection
	// refused"); "" if none failed. It is not cleared by a later success:
	// compare LastErrorAt with LastUploadAt. Requests cut by the stop are
	// not failures.
	LastError   string
	LastErrorAt time.Time // when LastError happened (Options.Now); zero if none
	// LastUploadAt is when a file last finished uploading (its Done was
	// recorded); zero if none has since start.
	LastUploadAt time.Time
}

// Snapshot reports the pool's state. It is safe for concurrent use.
func (u *Uploader) Snapshot() Snapshot {
	s := u.stats.snapshot(u.o.Now())
	s.Health, s.Detail = u.gate.state()
	s.Bandwidth, s.BandwidthNext, s.BandwidthNextLimit, s.BandwidthScheduled = u.lim.snapshot()
	return s
}

// progress counts one upload's bytes, as the body reader hands them on.
type progress struct {
	path string
	size int64
	sent atomic.Int64
	gen  atomic.Uint64 // the newest body's number
}

func (p *progress) bytesSent() int64 { return p.sent.Load() }

// rateWindow is how far back Rate looks; samples are kept at most every
// second, lazily, when something reads or finishes.
const (
	rateWindow   = 20 * time.Second
	rateSamples  = 32
	sampleSpacer = time.Second
)

type sample struct {
	at    time.Time
	total int64
}

// stats is the pool's counters. total is written by body readers without
// the lock; the rest is under mu.
type stats struct {
	total atomic.Int64

	mu        sync.Mutex
	active    map[*progress]struct{}
	bytesDone int64
	uploaded  int
	samples   []sample // oldest first

	lastErr    string
	lastErrAt  time.Time
	lastUpload time.Time
}

func newStats(now time.Time) *stats {
	return &stats{active: make(map[*progress]struct{}), samples: []sample{{at: now}}}
}

func (s *stats) start(path string, size int64) *progress {
	p := &progress{path: path, size: size}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active[p] = struct{}{}
	return p
}

func (s *stats) end(p *progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active, p)
}

func (s *stats) finished(size int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bytesDone += size
	s.uploaded++
	s.lastUpload = now
	s.sampleLocked(now)
}

// failed notes the most recent failed sign or PUT attempt.
func (s *stats) failed(text string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr, s.lastErrAt = text, now
}

func (s *stats) snapshot(now time.Time) Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{BytesDone: s.bytesDone, Uploaded: s.uploaded, Active: make([]Progress, 0, len(s.active)),
		LastError: s.lastErr, LastErrorAt: s.lastErrAt, LastUploadAt: s.lastUpload}
	for p := range s.active {
		snap.Active = append(snap.Active, Progress{Path: p.path, BytesSent: p.bytesSent(), Size: p.size})
	}
	slices.SortFunc(snap.Active, func(a, b Progress) int { return strings.Compare(a.Path, b.Path) })
	s.sampleLocked(now)
	snap.Rate = s.rateLocked(now)
	return snap
}

func (s *stats) sampleLocked(now time.Time) {
	if last := s.samples[len(s.samples)-1]; now.Sub(last.at) < sampleSpacer {
		return
	}
	if len(s.samples) == rateSamples {
		s.samples = slices.Delete(s.samples, 0, 1)
	}
	s.samples = append(s.samples, sample{at: now, total: s.sentLocked()})
}

// rateLocked measures from the oldest sample inside the window that is at
// least a second old, or else from the newest one before the window.
func (s *stats) rateLocked(now time.Time) float64 {
	var from *sample
	for i := range s.samples {
		c := &s.samples[i]
		age := now.Sub(c.at)
		if age > rateWindow {
			from = c
			continue
		}
		if age >= sampleSpacer {
			from = c
		}
		break
	}
	if from == nil {
		return 0
	}
	dt := now.Sub(from.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(s.sentLocked()-from.total) / dt
}

// sentLocked is every body byte sent, as the readers counted it.
func (s *stats) sentLocked() int64 { return s.total.Load() }
