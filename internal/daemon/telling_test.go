package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/odailies/odailies-uploader/internal/notify"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hook is a webhook receiver: it records each message it accepts, and
// answers 503 while down.
type hook struct {
	srv  *httptest.Server
	down atomic.Bool
	mu   sync.Mutex
	got  []notify.Message
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), worldToken) {
			t.Errorf("a notification carries the token: %s", b)
		}
		if h.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var m notify.Message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("notification %s: %v", b, err)
		}
		h.mu.Lock()
		h.got = append(h.got, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// of are the messages of event kind received so far.
func (h *hook) of(kind string) []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []notify.Message
	for _, m := range h.got {
		if m.Event == kind {
			out = append(out, m)
		}
	}
	return out
}

// running runs d until the returned stop is called.
func running(t *testing.T, d *Daemon) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		d.Close()
	}
}

// TestNotifyAndMetrics runs the daemon three times over one state.dir
// with a webhook: a file failed for good, two quiet days caught up, a
// revoked token paused; then, with the token back and the receiver down,
// the recovery and the third day are kept; then, with it up again, sent.
// Each arrives once.
func TestNotifyAndMetrics(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	h := newHook(t)
	w.extra = fmt.Sprintf("[[notify]]\nurl = %q\nquiet = \"300ms\"\n", h.srv.URL+"/hook/secret-path")
	w.file("_graded/Day09/bad.mov", 10)
	w.api.FailPut(1, http.StatusBadRequest)

	d, _ := w.open()
	stop := running(t, d)
	waitFor(t, "the failed upload", func() bool { return d.Counts().Failed == 1 })
	w.file("_graded/Day01/a.mov", 100)
	w.file("_graded/Day01/b.mov", 200)
	w.file("_graded/Day02/c.mov", 300)
	waitFor(t, "two caught-up", func() bool { return len(h.of(notify.EventCaughtUp)) == 2 })
	waitFor(t, "the failure", func() bool { return len(h.of(notify.EventFailure)) == 1 })

	srv := httptest.NewServer(d.MetricsHandler())
	defer srv.Close()
	fams := scrape(t, srv.URL)
	if v := metricValue(fams, "odailies_uploader_uploaded_files_total"); v != 3 {
		t.Errorf("uploaded_files_total = %v, want 3", v)
	}
	if v := metricValue(fams, "odailies_uploader_failed_files_total"); v != 1 {
		t.Errorf("failed_files_total = %v, want 1", v)
	}

	w.api.Revoke(worldToken)
	w.file("_graded/Day03/d.mov", 400)
	waitFor(t, "the pause", func() bool { return len(h.of(notify.EventHealth)) == 1 })
	stop()

	w.api.Restore(worldToken)
	h.down.Store(true)
	d, _ = w.open()
	stop = running(t, d)
	waitFor(t, "Day03 uploaded", func() bool { return d.Counts().Done == 4 })
	waitFor(t, "the recovery and Day03 in the outbox", func() bool { return outboxLen(t, w) == 2 })
	stop()

	h.down.Store(false)
	d, _ = w.open()
	stop = running(t, d)
	waitFor(t, "the outbox sent", func() bool { return len(h.of(notify.EventCaughtUp)) == 3 && len(h.of(notify.EventHealth)) == 2 })
	waitFor(t, "the outbox saved empty", func() bool { return outboxLen(t, w) == 0 })
	stop()

	f := h.of(notify.EventFailure)
	if len(f) != 1 || f[0].Files[0].Path != "_graded/Day09/bad.mov" || f[0].Files[0].Fix == "" || !strings.Contains(f[0].Files[0].Reason, "400") {
		t.Errorf("failures = %+v", f)
	}
	hs := h.of(notify.EventHealth)
	if len(hs) != 2 || hs[0].State != "auth-error" || !hs[0].Paused || hs[1].State != "running" || hs[1].Paused {
		t.Errorf("health = %+v", hs)
	}
	want := map[string]string{
		"_graded/Day01": "Day01 (_graded/Day01): 2 files, 300 B uploaded and verified, 0 failed",
		"_graded/Day02": "Day02 (_graded/Day02): 1 file, 300 B uploaded and verified, 0 failed",
		"_graded/Day03": "Day03 (_graded/Day03): 1 file, 400 B uploaded and verified, 0 failed",
	}
	for _, m := range h.of(notify.EventCaughtUp) {
		if want[m.Folder] != m.Text {
			t.Errorf("caught-up %q: %q, want %q", m.Folder, m.Text, want[m.Folder])
		}
		delete(want, m.Folder)
	}
	if len(want) != 0 {
		t.Errorf("no caught-up for %v", want)
	}
	if w.log.has("secret-path") {
		t.Errorf("the log shows the webhook's path:\n%s", w.log)
	}
}

// outboxLen is how many messages notify.json holds.
func outboxLen(t *testing.T, w *world) int {
	b, err := os.ReadFile(filepath.Join(w.state, notify.File))
	if err != nil {
		return -1
	}
	var st struct{ Outbox []json.RawMessage }
	if err := json.Unmarshal(b, &st); err != nil {
		t.Errorf("notify.json: %v", err)
	}
	return len(st.Outbox)
}

func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.Metric {
			if m.Counter != nil {
				out[name] += m.Counter.GetValue()
			}
		}
	}
	return out
}

func metricValue(m map[string]float64, name string) float64 { return m[name] }
