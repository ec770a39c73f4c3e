package dashboard

import (
	"fmt"
	"time"

	"github.com/odailies/odailies-uploader/internal/status"
)

// view is GET /api/state: everything the page shows, in one answer.
type view struct {
	Updated time.Time  `json:"updated"`
	Version string     `json:"version"`
	Total   showView   `json:"total"`
	Shows   []showView `json:"shows"` // one entry with a single show
	History Series     `json:"history"`
}

// showView is one show (or the totals) as the page shows it.
type showView struct {
	Name      string           `json:"name"`
	State     status.State     `json:"state"`
	Health    health           `json:"health"`
	Counts    counts           `json:"counts"`
	Rate      float64          `json:"rate_bytes_per_s"`
	ETA       int64            `json:"eta_s"`
	BytesDone int64            `json:"bytes_done"`
	Verified  status.Verified  `json:"verified"`
	Active    []activeView     `json:"active"`
	Recent    []Upload         `json:"recent"`
	Failures  []Failure        `json:"failures"`
	Watcher   status.Watcher   `json:"watcher"`
	Bandwidth status.Bandwidth `json:"bandwidth"`
	Actions   actions          `json:"actions"`
}

type counts struct {
	Queued  int `json:"queued"`
	Active  int `json:"active"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Gone    int `json:"gone"`
	Missing int `json:"missing"`
	Pending int `json:"settling"` // seen by the watcher, not settled yet
}

type actions struct {
	Pending int `json:"pending"`
	Failed  int `json:"failed"`
	Done    int `json:"done"`
}

// activeView is one upload in flight: its own rate, measured between two
// looks, and what that rate leaves to go.
type activeView struct {
	Path      string  `json:"path"`
	Show      string  `json:"show,omitempty"`
	BytesSent int64   `json:"bytes_sent"`
	Size      int64   `json:"size"`
	Rate      float64 `json:"rate_bytes_per_s"`
	ETA       int64   `json:"eta_s"` // 0: unknown
}

// fileRate is what the last look saw of one upload.
type fileRate struct {
	sent int64
	at   time.Time
	rate float64
	seen bool // seen in the latest look
}

// recentN and failuresN bound the lists per show.
const (
	recentN   = 20
	failuresN = 50
)

// cacheFor is how long one view answers every poll: several open pages
// cost one read of the daemon's state.
const cacheFor = 500 * time.Millisecond

// state is the current view, built at most once per cacheFor.
func (s *Server) state() *view {
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && now.Sub(s.cacheAt) < cacheFor {
		return s.cached
	}
	total, shows := s.src.Status(now)
	v := &view{Updated: now.UTC(), Version: s.o.Version, History: s.hist.series(len(shows))}
	for k, f := range s.files {
		f.seen = false
		s.files[k] = f
	}
	for _, sh := range shows {
		sv := s.showView(sh.Name, sh.Doc, now)
		if rs, err := s.src.Recent(sh.Name, recentN); err == nil {
			sv.Recent = rs
		}
		if fs, err := s.src.Failures(sh.Name, failuresN); err == nil {
			sv.Failures = fs
		}
		v.Shows = append(v.Shows, sv)
	}
	for k, f := range s.files {
		if !f.seen {
			delete(s.files, k)
		}
	}
	v.Total = s.showView("", total, now)
	v.Total.Active, v.Total.Recent, v.Total.Failures = nil, nil, nil
	for _, sv := range v.Shows {
		v.Total.Active = append(v.Total.Active, sv.Active...)
		v.Total.Recent = append(v.Total.Recent, sv.Recent...)
		v.Total.Failures = append(v.Total.Failures, sv.Failures...)
	}
	s.cached, s.cacheAt = v, now
	return v
}

// showView turns one status document into what the page shows; the
// per-file rates are updated from the previous look (s.mu held).
func (s *Server) showView(name string, d *status.Doc, now time.Time) showView {
	sv := showView{Name: name, State: d.State, Health: describe(d),
		Counts: counts{Queued: d.Queued, Active: d.Active, Done: d.Done, Failed: d.Failed, Gone: d.Gone,
			Missing: d.Missing, Pending: d.Watcher.Pending},
		Rate: d.Rate, ETA: d.ETASeconds, BytesDone: d.BytesDone, Verified: d.Verified,
		Watcher: d.Watcher, Bandwidth: d.Bandwidth, Active: []activeView{}, Recent: []Upload{}, Failures: []Failure{},
		Actions: actions{Pending: d.ActionsPending, Failed: d.ActionsFailed, Done: d.ActionsDone}}
	for _, a := range d.ActiveFiles {
		show := a.Watch
		if show == "" {
			show = name
		}
		av := activeView{Path: a.Path, Show: show, BytesSent: a.BytesSent, Size: a.Size}
		key := show + "\x00" + a.Path
		f, ok := s.files[key]
		switch dt := now.Sub(f.at).Seconds(); {
		case !ok || a.BytesSent < f.sent: // new, or a new attempt
			f = fileRate{sent: a.BytesSent, at: now}
		case dt >= 0.2:
			inst := float64(a.BytesSent-f.sent) / dt
			if f.rate > 0 {
				inst = 0.5*f.rate + 0.5*inst
			}
			f.rate, f.sent, f.at = inst, a.BytesSent, now
		}
		f.seen = true
		s.files[key] = f
		av.Rate = f.rate
		if left := a.Size - a.BytesSent; f.rate > 0 && left > 0 {
			av.ETA = int64(float64(left)/f.rate) + 1
		}
		sv.Active = append(sv.Active, av)
	}
	return sv
}

// health is a show's state in plain words, with what to do.
type health struct {
	Level  string `json:"level"` // ok, busy, warn, bad
	Title  string `json:"title"`
	Todo   string `json:"todo,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// describe says a status document's health as a person reads it at
// 2 a.m.: what is happening, and what to do when something is wrong.
func describe(d *status.Doc) health {
	h := health{Detail: d.Detail}
	switch string(d.State) {
	case "auth-error":
		return health{"bad", "Paused: the oDailies API refuses the token", "Make a new upload token in the project's settings, " +
			"put it in the config (api.token or api.token_file), run 'odailies-uploader check', then restart the service. " +
			"Nothing is lost meanwhile: files wait in the queue.", d.Detail}
	case "not-found":
		return health{"bad", "Paused: the API does not know this project", "Check api.project_id (and api.base_url) in the config, " +
			"run 'odailies-uploader check', then restart the service. Files wait in the queue.", d.Detail}
	case "offline":
		return health{"warn", "Offline: oDailies cannot be reached", "Check this machine's network and internet access. " +
			"Uploads go on by themselves when it is back.", d.Detail}
	case "slow-down":
		return health{"warn", "Slowed down: the API asked for fewer requests", "Nothing to do: uploads go on at the pace the API allows.", d.Detail}
	case string(status.WatchError):
		return health{"bad", "Cannot watch the folders", "Check that the drive holding watch.root is plugged in and readable " +
			"(the detail says which folder); uploads of files already queued go on.", d.Detail}
	case string(status.StateDiskError):
		return health{"bad", "Cannot write the queue", "Free space on the disk holding state.dir, or make it writable; " +
			"nothing new is uploaded until then.", d.Detail}
	case string(status.Stopped):
		return health{"bad", "Stopped", "Start the service: odailies-uploader start.", d.Detail}
	}
	switch {
	case d.Detail != "": // a show of several is blocked
		h.Level, h.Title, h.Todo = "warn", "Uploading, but a show is paused", "See the show below for what to do."
	case d.Active > 0:
		h.Level, h.Title = "busy", fmt.Sprintf("Uploading %d %s", d.Active, plural(d.Active, "file", "files"))
	case d.Queued > 0:
		h.Level, h.Title = "busy", fmt.Sprintf("%d %s waiting to upload", d.Queued, plural(d.Queued, "file", "files"))
		if d.Bandwidth.Scheduled && d.Bandwidth.Limit == 0 && !d.Bandwidth.NextChange.IsZero() {
			h.Todo = "upload.bandwidth_schedule may hold uploads until its next change"
		}
	case d.Watcher.LastScan.IsZero():
		h.Level, h.Title = "busy", "Scanning the folders…"
	case d.Watcher.Pending > 0:
		h.Level, h.Title = "busy", fmt.Sprintf("Waiting for %d %s to finish being written", d.Watcher.Pending, plural(d.Watcher.Pending, "file", "files"))
	default:
		h.Level, h.Title = "ok", "All caught up"
	}
	switch {
	case d.Failed > 0:
		h.Level = "warn"
		h.Title += fmt.Sprintf(" — %d %s failed", d.Failed, plural(d.Failed, "file", "files"))
		h.Todo = "Read each failure's reason below, fix it, then press Retry."
	case len(d.Watcher.Problems) > 0:
		h.Level = "warn"
		h.Title += fmt.Sprintf(" — %d %s held back", len(d.Watcher.Problems)+d.Watcher.MoreProblems, plural(len(d.Watcher.Problems), "path", "paths"))
		h.Todo = d.Watcher.Problems[0].Path + ": " + d.Watcher.Problems[0].Problem
	case d.Watcher.Error != "":
		h.Level, h.Todo = "warn", d.Watcher.Error
	}
	return h
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
