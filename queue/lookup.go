package queue

import "time"

// Record is what the queue holds for one path, as Lookup gives it: the
// job's state, its place in the queue, and, for a done job, its delivery
// and after-upload action.
type Record struct {
	Item
	State     State
	Attempts  int       // attempts made (a Failed job: before it was given up)
	LastError string    // why the last attempt failed; a done job's: why its action failed or was skipped
	NotBefore time.Time // Queued: its retry time; zero when due at once
	At        time.Time // when it entered its state (Done: when uploaded; Failed: when given up)

	// Queued only: Class is the first path segment; Position is 1 for
	// the job its class hands out next (the order of Lease within one
	// class rank, see Options.Priority), 0 while it waits for NotBefore;
	// Of counts the jobs due in its class rank.
	Class    string
	Position int
	Of       int

	// Done only.
	Delivery Delivery  // MD5, ETag, Verified, UploadedAt; Then is the action asked for
	Missing  time.Time // when full scans first did not find the file; zero when found
	ActState ActState  // the action's state; 0 when none (keep)
	ActAt    time.Time // when the action reached ActState; zero while pending
	ActDest  string    // where a move put the file
}

// Lookup returns the record of path (NFC, relative to the root, as
// Item.Path); ok is false when the queue has none. It costs a map lookup,
// plus, for a queued job, a pass over the jobs due in its class.
func (q *Queue) Lookup(path string) (r Record, ok bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return Record{}, false, ErrClosed
	}
	e := q.byPath[path]
	if e == nil {
		return Record{}, false, nil
	}
	r = Record{
		Item:  Item{Path: e.Path, Disk: e.disk(), Size: e.Size, ModTime: e.ModTime},
		State: e.State, Attempts: e.Attempts, LastError: e.lastError(), NotBefore: e.notBefore(), At: e.At,
	}
	switch e.State {
	case Queued:
		q.place(e, &r)
	case Done:
		d := e.delivered()
		r.Delivery, r.Missing = d.Delivery, e.missing()
		if a := e.act(); a != nil {
			r.Delivery.Then, r.ActState, r.ActAt, r.ActDest = a.action, a.state, a.at, a.dest
		}
	}
	return r, true, nil
}

// place fills a queued entry's class and position (q.mu held). A job in
// the timers heap whose time has come is due, but not yet in its class's
// heap: it counts as last of its class.
func (q *Queue) place(e *entry, r *Record) {
	r.Class = className(e.Path)
	h := q.idx.ready[e.rank]
	r.Of = h.Len()
	if e.timed {
		if e.notBefore().After(q.now()) {
			return
		}
		r.Of++
		r.Position = r.Of
		return
	}
	r.Position = 1
	for _, o := range h {
		if o.id < e.id {
			r.Position++
		}
	}
}

// className is a path's class: its first segment.
func className(path string) string {
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return path
}
