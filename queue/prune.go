package queue

import (
	"errors"
	"strings"
	"time"
)

// pruneCandidate is a record Prune may change, identified by version.
type pruneCandidate struct {
	path    string
	id      uint64
	missing bool // a Done record marked missing
	gone    bool // a Gone record
}

// pruned is what one Prune did, for its log.
type pruned struct {
	dropped int // records removed (the result)
	marked  int // done records newly marked missing
	expired int // done records dropped after KeepMissing
	found   int // missing marks cleared
	revived int // gone records queued again: the scan found their file

	actedExpired int // done records dropped KeepMissing after their action moved or deleted the file
}

// Prune runs after a full scan. For each record that is not Active and
// whose path starts with one of the under prefixes (e.g. "_graded/"), keep
// says whether the scan found its file. A Queued, Failed or Gone record
// whose file was not found is dropped. A Done one is not, at first: it is
// marked missing (Counts.Missing), with the time of that first scan, and
// dropped by the first Prune at least Options.KeepMissing later that still
// does not find it. So a volume that goes away (a RAID unplugged, a NAS
// remounted) forgets nothing it uploaded, and its files are not sent again
// when it comes back. A file found again, by a scan (keep true) or by an
// Enqueue of the same version, clears its mark. A Gone record whose file
// the scan found is queued again: it was away for less than the watcher
// could see (a folder moved away and back between two polls).
//
// keep is called without the queue's lock held; a record enqueued or
// leased meanwhile is left alone. An empty under touches nothing. removed
// counts the records dropped.
func (q *Queue) Prune(keep func(path string) bool, under []string) (removed int, err error) {
	if keep == nil {
		return 0, errors.New("prune: nil keep function")
	}
	cands, err := q.pruneCandidates(under)
	if err != nil {
		return 0, err
	}
	var absent, back []pruneCandidate
	for _, c := range cands {
		switch {
		case !keep(c.path):
			absent = append(absent, c)
		case c.missing, c.gone:
			back = append(back, c)
		}
	}
	return q.prune(absent, back)
}

func (q *Queue) pruneCandidates(under []string) ([]pruneCandidate, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.usable(); err != nil {
		return nil, err
	}
	var out []pruneCandidate
	for p, e := range q.byPath {
		if e.State != Active && hasAnyPrefix(p, under) {
			out = append(out, pruneCandidate{path: p, id: e.id, missing: !e.missing().IsZero(), gone: e.State == Gone})
		}
	}
	return out, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// prune applies a scan's verdicts to the candidates that are still current:
// absent ones are dropped or marked, back ones unmarked.
func (q *Queue) prune(absent, back []pruneCandidate) (int, error) {
	q.mu.Lock()
	if err := q.usable(); err != nil {
		q.mu.Unlock()
		return 0, err
	}
	now := canonical(q.now())
	var muts []mutation
	var n pruned
	for _, c := range absent {
		if e := q.current(c); e != nil {
			muts = q.pruneAbsent(muts, e, now, &n)
		}
	}
	for _, c := range back {
		e := q.current(c)
		switch {
		case e == nil:
		case e.State == Gone:
			q.requeue(e, now)
			muts = append(muts, putJob(e))
			n.revived++
		case !e.missing().IsZero():
			q.setMissing(e, time.Time{})
			muts = append(muts, putJob(e))
			n.found++
		}
	}
	o := q.submit(muts)
	q.mu.Unlock()
	if err := o.wait(); err != nil {
		return 0, err
	}
	q.logPruned(n)
	return n.dropped, nil
}

// current returns c's entry if it is still the version Prune looked at and
// not leased. q.mu held.
func (q *Queue) current(c pruneCandidate) *entry {
	e := q.byPath[c.path]
	if e == nil || e.id != c.id || e.State == Active {
		return nil
	}
	return e
}

// pruneAbsent drops e, whose file the scan did not find, or marks it
// missing if it is Done and not marked yet, or keeps it if it is Done and
// marked less than KeepMissing ago. It appends the writes. q.mu held.
func (q *Queue) pruneAbsent(muts []mutation, e *entry, now time.Time, n *pruned) []mutation {
	if e.State == Done {
		switch {
		case e.actedOn():
			// Moved or deleted after its upload: not missing, and kept
			// for KeepMissing after that, for the report.
			if now.Sub(e.act().at) < q.keepMissing {
				return muts
			}
			n.actedExpired++
			q.forget(e)
			n.dropped++
			return append(muts, delJob(e.id), delPath(e.Path))
		case e.missing().IsZero():
			q.setMissing(e, now)
			n.marked++
			return append(muts, putJob(e))
		case now.Sub(e.missing()) < q.keepMissing:
			return muts
		}
		n.expired++
	}
	q.forget(e)
	n.dropped++
	return append(muts, delJob(e.id), delPath(e.Path))
}

// setMissing sets or (zero t) clears e's missing mark, keeping the counts.
// Only a Done entry is ever marked; clearing an unmarked one does nothing.
// q.mu held.
func (q *Queue) setMissing(e *entry, t time.Time) {
	if e.missing().IsZero() && t.IsZero() {
		return
	}
	q.account(e, -1)
	e.setExt(e.disk(), t)
	q.account(e, 1)
}

func (q *Queue) logPruned(n pruned) {
	if n.marked > 0 {
		q.log.Info("uploaded files not found by the scan; their records are kept in case the volume comes back",
			"files", n.marked, "keep", q.keepMissing)
	}
	if n.found > 0 {
		q.log.Info("uploaded files found again", "files", n.found)
	}
	if n.revived > 0 {
		q.log.Info("files found missing at upload are back; queued again", "files", n.revived)
	}
	if n.actedExpired > 0 {
		q.log.Info("forgot uploaded files moved or deleted after upload longer than the keep time ago", "files", n.actedExpired, "keep", q.keepMissing)
	}
	if n.expired > 0 {
		q.log.Info("forgot uploaded files missing for longer than the keep time", "files", n.expired, "keep", q.keepMissing)
	}
}
