package queue

import "time"

// OldestQueued is when the job queued longest ago entered the queued
// state (record.At; a retry scheduled re-enters it), and false when
// nothing is queued: the metrics' oldest queued age. It reads every
// entry under the lock, O(n) in the queue's length (some milliseconds
// at 100,000: 8.8 ms, BenchmarkOldestQueued100k): a scrape's cost every
// few seconds, not an upload's; the queue's lock is held meanwhile.
func (q *Queue) OldestQueued() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var oldest time.Time
	found := false
	for _, e := range q.byPath {
		if e.State == Queued && (!found || e.At.Before(oldest)) {
			oldest, found = e.At, true
		}
	}
	return oldest, found
}
