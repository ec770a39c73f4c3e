package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The event names of a [[notify]] table's events.
const (
	EventFailure  = "failure"
	EventHealth   = "health"
	EventCaughtUp = "caught-up"
)

// The formats of a [[notify]] table's format.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// File is the notifier's state file in state.dir.
const File = "notify.json"

// Target is one [[notify]] table.
type Target struct {
	URL           string
	Events        []string      // any of EventFailure, EventHealth, EventCaughtUp
	Format        string        // FormatJSON ("" too) or FormatSlack
	Quiet         time.Duration // caught-up after this long without activity; 0 means 10m
	Authorization string        // the Authorization header's value; "" sends none
}

// key identifies a target in notify.json: its URL and format, so that a
// table edited to another receiver does not inherit the old one's outbox.
func (t Target) key() string { return t.Format + " " + t.URL }

func (t Target) wants(event string) bool {
	for _, e := range t.Events {
		if e == event {
			return true
		}
	}
	return false
}

// Where names the target for logs: scheme and host, never the path
// (a Slack webhook's secret) or query.
func Where(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "(webhook)"
	}
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	host, _, _ = strings.Cut(host, "?")
	return scheme + "://" + host + "/…"
}

// Day is what the queue holds for one day folder.
type Day struct {
	Files      int   // done
	Unverified int   // of Files, not verified by the storage
	Bytes      int64 // their bytes
	Failed     int   // failed for good
}

// Show is what the notifier reads of one show to decide caught-up.
type Show struct {
	// Idle reports whether the show's queue has nothing queued or active
	// and its watcher nothing settling.
	Idle func() bool
	// Day totals the queue's records under folder ("_graded/Day03").
	Day func(folder string) (Day, error)
}

// Options configures a Notifier. Zero values mean the defaults named.
type Options struct {
	Targets []Target
	Dir     string          // state.dir, where File is kept
	Shows   map[string]Show // by show name ("" for the single-show form)
	Logger  *slog.Logger    // nil discards

	Gather       time.Duration // a failure waits this long for others to group with; 0 means 2s
	FailureEvery time.Duration // at most one failure message per target this often; 0 means 1m
	RetryMin     time.Duration // first wait after a failed delivery; 0 means 2s
	RetryMax     time.Duration // its cap; 0 means 5m
	MaxAge       time.Duration // a message not delivered by then is dropped; 0 means 72h
	Tick         time.Duration // how often Run saves, sends and looks for quiet days; 0 means 500ms
	Timeout      time.Duration // one delivery's limit; 0 means 30s
	HTTPClient   *http.Client  // nil: a client with proxies from the environment
	Now          func() time.Time
}

// DefaultQuiet is a target's quiet when its table sets none.
const DefaultQuiet = 10 * time.Minute

func (o Options) withDefaults() Options {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	def(&o.Gather, 2*time.Second)
	def(&o.FailureEvery, time.Minute)
	def(&o.RetryMin, 2*time.Second)
	def(&o.RetryMax, 5*time.Minute)
	def(&o.MaxAge, 72*time.Hour)
	def(&o.Tick, 500*time.Millisecond)
	def(&o.Timeout, 30*time.Second)
	for i := range o.Targets {
		def(&o.Targets[i].Quiet, DefaultQuiet)
		if o.Targets[i].Format == "" {
			o.Targets[i].Format = FormatJSON
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	}
	return o
}

// Notifier holds the outbox and sends it. Its methods are safe for
// concurrent use.
type Notifier struct {
	o    Options
	path string
	wake chan struct{}

	mu          sync.Mutex
	st          state
	dirty       bool                 // st changed since the last save
	lastFailure map[string]time.Time // target key → last failure message sent
	saveErr     string               // the save failure last logged; "" while saves work
}

// New loads the state file from o.Dir (a missing one is an empty state).
func New(o Options) (*Notifier, error) {
	o = o.withDefaults()
	n := &Notifier{o: o, path: filepath.Join(o.Dir, File), wake: make(chan struct{}, 1),
		lastFailure: map[string]time.Time{}}
	st, err := load(n.path)
	if err != nil {
		return nil, err
	}
	n.st = st
	n.dropUnknownTargets()
	return n, nil
}

// Failure records that path of show failed for good.
func (n *Notifier) Failure(show, path, reason, fix string) {
	now := n.o.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.touch(show, path, now)
	for _, t := range n.o.Targets {
		if t.wants(EventFailure) {
			n.add(t, event{Kind: EventFailure, Show: show, Path: path, Reason: reason, Fix: fix, At: now})
		}
	}
}

// Health records show's state ("running", or what blocks it, with detail).
// A state equal to the last one notified is no news.
func (n *Notifier) Health(show, state, detail string) {
	now := n.o.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	was, ok := n.st.Health[show]
	if !ok {
		was = "running"
	}
	if state == was {
		return
	}
	n.st.Health[show] = state
	n.dirty = true
	for _, t := range n.o.Targets {
		if t.wants(EventHealth) {
			n.add(t, event{Kind: EventHealth, Show: show, State: state, Was: was, Detail: detail, At: now})
		}
	}
}

// Activity records that path of show was uploaded (or its upload ended
// otherwise): its day folder is announced once quiet.
func (n *Notifier) Activity(show, path string) {
	now := n.o.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.touch(show, path, now)
}

// touch marks path's day folder as worked on at now, for every target
// that wants caught-up. Callers hold mu.
func (n *Notifier) touch(show, path string, now time.Time) {
	folder := DayFolder(path)
	if folder == "" {
		return
	}
	for _, t := range n.o.Targets {
		if t.wants(EventCaughtUp) {
			n.st.Days[dayKey(t.key(), show, folder)] = dayState{Target: t.key(), Show: show, Folder: folder, Last: now}
			n.dirty = true
		}
	}
}

// DayFolder is the day folder of a job path: its first two segments
// ("_graded/Day03" for "_graded/Day03/A001.mov"); "" for a file directly
// in a watched dir.
func DayFolder(path string) string {
	dir, rest, ok := strings.Cut(path, "/")
	if !ok {
		return ""
	}
	day, _, ok := strings.Cut(rest, "/")
	if !ok || day == "" {
		return ""
	}
	return dir + "/" + day
}

func dayKey(target, show, folder string) string {
	return fmt.Sprintf("%s\x00%s\x00%s", target, show, folder)
}

// add queues e for t. Callers hold mu.
func (n *Notifier) add(t Target, e event) {
	n.st.Seq++
	e.ID = fmt.Sprintf("%d-%d", n.st.Created.UnixNano(), n.st.Seq)
	n.st.Outbox = append(n.st.Outbox, pending{Target: t.key(), Event: e, Next: e.At})
	n.dirty = true
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// dropUnknownTargets forgets outbox entries and days of targets no
// longer configured.
func (n *Notifier) dropUnknownTargets() {
	known := map[string]bool{}
	for _, t := range n.o.Targets {
		known[t.key()] = true
	}
	out := n.st.Outbox[:0]
	for _, p := range n.st.Outbox {
		if known[p.Target] {
			out = append(out, p)
		}
	}
	if len(out) != len(n.st.Outbox) {
		n.dirty = true
	}
	n.st.Outbox = out
	for k, d := range n.st.Days {
		if !known[d.Target] {
			delete(n.st.Days, k)
			n.dirty = true
		}
	}
}

// Run sends the outbox and looks for quiet days every Tick until ctx
// ends; it saves the state at each change and once more at the end.
func (n *Notifier) Run(ctx context.Context) error {
	tick := time.NewTicker(n.o.Tick)
	defer tick.Stop()
	for {
		n.step(ctx)
		select {
		case <-ctx.Done():
			n.save()
			return ctx.Err()
		case <-tick.C:
		case <-n.wake:
		}
	}
}

// keyURL is the URL in a Target.key.
func keyURL(key string) string {
	_, u, _ := strings.Cut(key, " ")
	return u
}

// step is one round of Run: announce quiet days, save, send what is due,
// save.
func (n *Notifier) step(ctx context.Context) {
	n.days(ctx)
	n.save()
	n.sendDue(ctx)
	n.save()
}
