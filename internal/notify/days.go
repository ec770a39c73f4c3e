package notify

import (
	"context"
	"maps"
	"slices"
)

// days announces each day folder whose show is idle and which has been
// quiet for its target's Quiet: a caught-up event with the queue's
// counts when nothing under it failed; a folder with failures is
// dropped unannounced (its failure events said it), and new work in it
// marks it again.
func (n *Notifier) days(ctx context.Context) {
	now := n.o.Now()
	n.mu.Lock()
	var due []dayState
	for _, k := range slices.Sorted(maps.Keys(n.st.Days)) {
		d := n.st.Days[k]
		t, ok := n.target(d.Target)
		if ok && now.Sub(d.Last) >= t.Quiet {
			due = append(due, d)
		}
	}
	n.mu.Unlock()
	for _, d := range due {
		if ctx.Err() != nil {
			return
		}
		show, ok := n.o.Shows[d.Show]
		if !ok {
			n.forgetDay(d, false, Day{})
			continue
		}
		if !show.Idle() {
			continue
		}
		day, err := show.Day(d.Folder)
		if err != nil {
			n.o.Logger.Warn("cannot count a day folder for its caught-up notification; trying again",
				"watch", d.Show, "folder", d.Folder, "err", err)
			continue
		}
		n.forgetDay(d, day.Failed == 0 && day.Files > 0, day)
	}
}

// forgetDay drops d from the days and, when announce, queues its
// caught-up — unless new activity came in meanwhile.
func (n *Notifier) forgetDay(d dayState, announce bool, day Day) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := dayKey(d.Target, d.Show, d.Folder)
	if cur, ok := n.st.Days[k]; !ok || !cur.Last.Equal(d.Last) {
		return
	}
	delete(n.st.Days, k)
	n.dirty = true
	t, ok := n.target(d.Target)
	if !announce || !ok {
		return
	}
	n.add(t, event{Kind: EventCaughtUp, Show: d.Show, Folder: d.Folder, Files: day.Files, Unverified: day.Unverified,
		Bytes: day.Bytes, At: n.o.Now()})
}

func (n *Notifier) target(key string) (Target, bool) {
	for _, t := range n.o.Targets {
		if t.key() == key {
			return t, true
		}
	}
	return Target{}, false
}
