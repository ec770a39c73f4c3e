package watcher

import (
	"container/heap"
	"strings"
	"time"
)

// fileState is what the watcher remembers of one eligible file. Times are
// Unix nanoseconds to keep the struct small: 100k of them must be cheap
// (80 bytes each, an allocator class; TestFileStateSize).
type fileState struct {
	path        string  // NFC, relative to the root; the map key
	disk        *string // on-disk relative path when it differs from path (rare: a pointer, not 16 bytes a file)
	size, mtime int64
	dev, ino    uint64
	openSince   int64 // when a writer was first seen holding it, 0 if none
	due         int64 // when to look at it next, while pending
	idx         int32 // index in the due heap, -1 if not pending
	fresh       bool  // just statted and already older than settle: no re-stat needed
	emitted     bool  // this size and mtime were handed to Settled
	mayRead     bool  // its mode bits let this process read it: no open check needed
	problem     bool  // it cannot be opened for reading: listed in the problems
}

func (s *fileState) diskPath() string {
	if s.disk != nil {
		return *s.disk
	}
	return s.path
}

// tracker holds every eligible file and a heap of the pending ones ordered
// by due time: one timer serves them all.
type tracker struct {
	files  map[string]*fileState
	queue  dueHeap
	settle int64
	probs  *problems // a file forgotten takes its problem with it

	// recheck holds problem files observed again, for an open check at the
	// next settle. They are not pending: their version had settled.
	recheck []*fileState
}

func newTracker(settle time.Duration, probs *problems) *tracker {
	return &tracker{files: make(map[string]*fileState), settle: int64(settle), probs: probs}
}

// pending is the number of files not yet handed to Settled.
func (t *tracker) pending() int { return len(t.queue) }

// observation is one stat of a file.
type observation struct {
	path, disk  string
	size, mtime int64
	dev, ino    uint64
	mayRead     bool
}

// observe records a stat of a file. A new or changed version becomes
// pending; the version last emitted is left alone. (A file changed and then
// changed back to the very size and mtime it had when emitted is emitted
// again; the queue dedupes that.) A file under another spelling on disk
// counts as changed, so that its new name is handed over. A file that
// could not be opened is looked at again at once: its version had settled.
func (t *tracker) observe(o observation, now int64) {
	st := t.files[o.path]
	if st == nil {
		st = &fileState{path: o.path, idx: -1}
		t.files[o.path] = st
	} else if st.size == o.size && st.mtime == o.mtime && st.diskPath() == o.disk {
		switch {
		case st.idx >= 0 || st.emitted:
			return
		case st.problem:
			st.mayRead = o.mayRead
			if !st.fresh { // fresh marks it as already in recheck
				st.fresh = true
				t.recheck = append(t.recheck, st)
			}
			return
		}
	}
	st.disk = nil
	if o.disk != o.path {
		disk := o.disk
		st.disk = &disk
	}
	st.size, st.mtime, st.dev, st.ino, st.mayRead = o.size, o.mtime, o.dev, o.ino, o.mayRead
	st.openSince, st.emitted, st.fresh = 0, false, false
	due := now + t.settle
	if t.settle == 0 || o.mtime <= now-t.settle {
		st.fresh, due = true, now
	}
	t.schedule(st, due)
}

func (t *tracker) schedule(st *fileState, due int64) {
	st.due = due
	if st.idx >= 0 {
		heap.Fix(&t.queue, int(st.idx))
		return
	}
	heap.Push(&t.queue, st)
}

func (t *tracker) unschedule(st *fileState) {
	if st.idx >= 0 {
		heap.Remove(&t.queue, int(st.idx))
	}
}

// next returns the earliest due time, if anything is pending.
func (t *tracker) next() (int64, bool) {
	if len(t.queue) == 0 {
		return 0, false
	}
	return t.queue[0].due, true
}

// popDue removes and returns the files due at now. They still count as
// pending for the caller, which must reschedule or emit each one.
func (t *tracker) popDue(now int64) []*fileState {
	var out []*fileState
	for len(t.queue) > 0 && t.queue[0].due <= now {
		out = append(out, heap.Pop(&t.queue).(*fileState))
	}
	return out
}

// takeRechecks returns the problem files to check again, still tracked.
func (t *tracker) takeRechecks() []*fileState {
	out := t.recheck[:0]
	for _, st := range t.recheck {
		st.fresh = false
		if st.problem && t.files[st.path] == st && st.idx < 0 {
			out = append(out, st)
		}
	}
	t.recheck = nil
	return out
}

func (t *tracker) markEmitted(st *fileState) {
	st.emitted, st.openSince, st.fresh = true, 0, false
}

func (t *tracker) forget(p string) {
	if st := t.files[p]; st != nil {
		t.unschedule(st)
		delete(t.files, p)
		if st.problem {
			t.probs.drop(p)
		}
	}
}

// forgetUnder drops every file below the folder dir (NFC).
func (t *tracker) forgetUnder(dir string) {
	prefix := dir + "/"
	for p := range t.files {
		if strings.HasPrefix(p, prefix) {
			t.forget(p)
		}
	}
}

// dueHeap is a min-heap of pending files by due time.
type dueHeap []*fileState

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = int32(i), int32(j)
}

func (h *dueHeap) Push(x any) {
	st := x.(*fileState)
	st.idx = int32(len(*h))
	*h = append(*h, st)
}

func (h *dueHeap) Pop() any {
	old := *h
	n := len(old) - 1
	st := old[n]
	old[n] = nil
	st.idx = -1
	*h = old[:n]
	return st
}
