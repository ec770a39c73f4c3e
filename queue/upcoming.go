package queue

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
	due := 0
	for _, h := range q.idx.ready {
		due += len(h)
	}
	if due == 0 {
		return nil
	}
	out := make([]Item, 0, min(n, due))
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
// a heap of positions, so the heap is read, never changed. The frontier
// is a plain slice (on the stack for a look ahead of up to 32) sifted by
// hand: container/heap would box every position, and the uploader calls
// this for every lease.
func (h idHeap) smallest(out []Item, n int) []Item {
	if len(h) == 0 {
		return out
	}
	var buf [33]int
	front := append(buf[:0], 0)
	less := func(i, j int) bool { return h[front[i]].id < h[front[j]].id }
	for len(front) > 0 && len(out) < n {
		i := front[0]
		last := len(front) - 1
		front[0] = front[last]
		front = front[:last]
		siftDown(front, less)
		e := h[i]
		out = append(out, Item{Path: e.Path, Disk: e.disk(), Size: e.Size, ModTime: e.ModTime})
		for c := 2*i + 1; c <= 2*i+2 && c < len(h); c++ {
			front = append(front, c)
			siftUp(front, less)
		}
	}
	return out
}

// siftUp moves the last position of a frontier up to its place.
func siftUp(front []int, less func(i, j int) bool) {
	for j := len(front) - 1; j > 0; {
		p := (j - 1) / 2
		if !less(j, p) {
			return
		}
		front[j], front[p] = front[p], front[j]
		j = p
	}
}

// siftDown moves the first position of a frontier down to its place.
func siftDown(front []int, less func(i, j int) bool) {
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(front) {
			return
		}
		if c+1 < len(front) && less(c+1, c) {
			c++
		}
		if !less(c, i) {
			return
		}
		front[i], front[c] = front[c], front[i]
		i = c
	}
}
