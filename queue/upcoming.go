package queue

import "container/heap"

// Upcoming returns up to n of the due jobs Lease would hand out next, in
// that order (by class priority, oldest first within a class), without
// leasing them: what the uploader's hasher reads ahead of the workers. It
// is a hint, true only at the moment of the call: a job may be leased,
// replaced or retried the next moment, and jobs whose retry time has not
// come are not listed. It costs O(n log n), whatever the queue's length.
func (q *Queue) Upcoming(n int) []Item {
	if n <= 0 {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	var out []Item
	for r := range q.idx.ready {
		out = q.idx.ready[r].smallest(out, n)
		if len(out) == n {
			break
		}
	}
	return out
}

// smallest appends h's entries in heap order (lowest ID first) until out
// holds n: a best-first walk of the heap's tree, whose frontier is itself
// a heap of positions, so the heap is read, never changed.
func (h idHeap) smallest(out []Item, n int) []Item {
	if len(h) == 0 {
		return out
	}
	front := &posHeap{h: h, pos: []int{0}}
	for front.Len() > 0 && len(out) < n {
		i := heap.Pop(front).(int)
		e := h[i]
		out = append(out, Item{Path: e.Path, Disk: e.disk(), Size: e.Size, ModTime: e.ModTime})
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(h) {
				heap.Push(front, c)
			}
		}
	}
	return out
}

// posHeap is positions in an idHeap, ordered by the entries' IDs.
type posHeap struct {
	h   idHeap
	pos []int
}

func (p *posHeap) Len() int           { return len(p.pos) }
func (p *posHeap) Less(i, j int) bool { return p.h[p.pos[i]].id < p.h[p.pos[j]].id }
func (p *posHeap) Swap(i, j int)      { p.pos[i], p.pos[j] = p.pos[j], p.pos[i] }
func (p *posHeap) Push(x any)         { p.pos = append(p.pos, x.(int)) }
func (p *posHeap) Pop() any {
	x := p.pos[len(p.pos)-1]
	p.pos = p.pos[:len(p.pos)-1]
	return x
}
