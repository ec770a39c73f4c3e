package queue

import (
	"container/heap"
	"time"
)

// entry is the in-memory copy of one job record, plus what is never stored:
// its lease and its place in the ready index.
type entry struct {
	record
	id    uint64
	rank  int32  // index of its class in Queue.ready
	hidx  int32  // index in the heap that holds it; -1 in none
	lease uint64 // lease token while Active
	timed bool   // held by the timers heap rather than a ready heap
}

// idHeap is one class's due jobs, lowest ID (oldest) first.
type idHeap []*entry

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i].id < h[j].id }
func (h idHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx, h[j].hidx = int32(i), int32(j)
}
func (h *idHeap) Push(x any) {
	e := x.(*entry)
	e.hidx = int32(len(*h))
	*h = append(*h, e)
}
func (h *idHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.hidx = -1
	return e
}

// timeHeap is the queued jobs that are not due yet, earliest first.
type timeHeap struct{ idHeap }

func (h timeHeap) Less(i, j int) bool {
	a, b := h.idHeap[i], h.idHeap[j]
	if an, bn := a.notBefore(), b.notBefore(); !an.Equal(bn) {
		return an.Before(bn)
	}
	return a.id < b.id
}

// index holds every Queued entry: due ones in one FIFO heap per class rank
// (the Priority classes in order, then one for all other classes), the rest
// in timers until their NotBefore passes.
type index struct {
	ready  []idHeap
	timers timeHeap
}

func newIndex(classes int) *index {
	return &index{ready: make([]idHeap, classes+1)}
}

// add places a Queued entry: in timers if it is not due at now.
func (x *index) add(e *entry, now time.Time) {
	if e.notBefore().After(now) {
		e.timed = true
		heap.Push(&x.timers, e)
		return
	}
	e.timed = false
	heap.Push(&x.ready[e.rank], e)
}

// remove takes e out of whichever heap holds it, if any.
func (x *index) remove(e *entry) {
	if e.hidx < 0 {
		return
	}
	if e.timed {
		heap.Remove(&x.timers, int(e.hidx))
		return
	}
	heap.Remove(&x.ready[e.rank], int(e.hidx))
}

// promote moves the timers that are due at now to their ready heaps.
func (x *index) promote(now time.Time) {
	for x.timers.Len() > 0 && !x.timers.idHeap[0].notBefore().After(now) {
		e := heap.Pop(&x.timers).(*entry)
		e.timed = false
		heap.Push(&x.ready[e.rank], e)
	}
}

// next returns the earliest NotBefore among the timers; ok is false when
// there are none.
func (x *index) next() (t time.Time, ok bool) {
	if x.timers.Len() == 0 {
		return time.Time{}, false
	}
	return x.timers.idHeap[0].notBefore(), true
}

// anyRank asks take for a job of any class.
const anyRank = -1

// take removes and returns the job to hand out: the oldest job of the
// first class rank that has one, or of rank only unless it is anyRank.
func (x *index) take(only int) *entry {
	for r := range x.ready {
		if only != anyRank && r != only {
			continue
		}
		if h := &x.ready[r]; h.Len() > 0 {
			return heap.Pop(h).(*entry)
		}
	}
	return nil
}
