package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// sendDue sends, for each target, what is due, in order; the first
// delivery that fails stops that target until its next try.
func (n *Notifier) sendDue(ctx context.Context) {
	for _, t := range n.o.Targets {
		for ctx.Err() == nil {
			batch := n.nextBatch(t, n.o.Now())
			if len(batch) == 0 {
				break
			}
			err := n.deliver(ctx, t, batch)
			n.delivered(t, batch, err)
			if err != nil {
				break
			}
		}
	}
}

// nextBatch is the next message for t: the first pending event, or, when
// it is a failure, every pending failure for t (one grouped message);
// nil when nothing is due.
func (n *Notifier) nextBatch(t Target, now time.Time) []event {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.expire(now)
	for _, p := range n.st.Outbox {
		if p.Target != t.key() {
			continue
		}
		if p.Next.After(now) {
			return nil
		}
		if p.Event.Kind != EventFailure {
			return []event{p.Event}
		}
		if now.Sub(p.Event.At) < n.o.Gather || now.Sub(n.lastFailure[t.key()]) < n.o.FailureEvery {
			return nil
		}
		var batch []event
		for _, q := range n.st.Outbox {
			if q.Target == t.key() && q.Event.Kind == EventFailure {
				batch = append(batch, q.Event)
			}
		}
		return batch
	}
	return nil
}

// expire drops messages older than MaxAge. Callers hold mu.
func (n *Notifier) expire(now time.Time) {
	out := n.st.Outbox[:0]
	for _, p := range n.st.Outbox {
		if now.Sub(p.Event.At) > n.o.MaxAge {
			n.o.Logger.Warn("notification dropped: not delivered in time", "to", Where(keyURL(p.Target)),
				"event", p.Event.Kind, "watch", p.Event.Show, "attempts", p.Attempts)
			n.dirty = true
			continue
		}
		out = append(out, p)
	}
	n.st.Outbox = out
}

// delivered records the outcome of sending batch to t: gone from the
// outbox on success, else tried again after backoff.
func (n *Notifier) delivered(t Target, batch []event, err error) {
	ids := map[string]bool{}
	for _, e := range batch {
		ids[e.ID] = true
	}
	now := n.o.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dirty = true
	if err == nil && batch[0].Kind == EventFailure {
		n.lastFailure[t.key()] = now
	}
	out := n.st.Outbox[:0]
	for _, p := range n.st.Outbox {
		if p.Target != t.key() || !ids[p.Event.ID] {
			out = append(out, p)
			continue
		}
		if err == nil {
			continue
		}
		p.Attempts++
		p.Next = now.Add(n.backoff(p.Attempts))
		out = append(out, p)
		if len(batch) == 1 || p.Event.ID == batch[0].ID {
			n.o.Logger.Warn("cannot deliver a notification; will try again", "to", Where(t.URL),
				"event", p.Event.Kind, "attempt", p.Attempts, "next", p.Next.UTC().Format(time.RFC3339), "err", err)
		}
	}
	n.st.Outbox = out
}

// backoff is RetryMin doubled per attempt up to RetryMax, jittered down
// by up to a quarter.
func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.o.RetryMin
	for i := 1; i < attempts && d < n.o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, n.o.RetryMax)
	return d - rand.N(d/4+1)
}

// deliver POSTs one message.
func (n *Notifier) deliver(ctx context.Context, t Target, batch []event) error {
	body, err := render(t.Format, batch)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, n.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify.url: %s", redact.URLsIn(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	if t.Authorization != "" {
		req.Header.Set("Authorization", t.Authorization)
	}
	resp, err := n.o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %s", Where(t.URL), cutURL(err, t.URL))
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %q", Where(t.URL), resp.Status, excerpt)
	}
	return nil
}

// cutURL is err's text with the webhook URL named by scheme and host only.
func cutURL(err error, raw string) string {
	return redact.URLsIn(string(bytes.ReplaceAll([]byte(err.Error()), []byte(raw), []byte(Where(raw)))))
}
