package notify

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is a webhook that records the messages it accepts; while
// down is set it answers 503 and records nothing.
type receiver struct {
	srv  *httptest.Server
	down atomic.Bool
	mu   sync.Mutex
	got  []Message
	raw  [][]byte
	auth []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
		}
		b, err := io.ReadAll(req.Body)
		if err != nil {
			t.Error(err)
		}
		if r.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		r.mu.Lock()
		r.got, r.raw, r.auth = append(r.got, m), append(r.raw, b), append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// clock is a hand-turned Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is a show whose idleness and day counts the test sets.
type world struct {
	mu   sync.Mutex
	idle bool
	days map[string]Day
}

func (w *world) show() Show {
	return Show{
		Idle: func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.idle },
		Day:  func(f string) (Day, error) { w.mu.Lock(); defer w.mu.Unlock(); return w.days[f], nil },
	}
}

func newNotifier(t *testing.T, dir string, c *clock, w *world, targets ...Target) *Notifier {
	t.Helper()
	n, err := New(Options{Targets: targets, Dir: dir, Shows: map[string]Show{"A": w.show()}, Now: c.now,
		Gather: time.Second, FailureEvery: time.Minute, RetryMin: time.Second, RetryMax: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func start() *clock { return &clock{t: time.Date(2026, 4, 22, 1, 0, 0, 0, time.UTC)} }

func TestFailuresOnceEachGroupedWhenMany(t *testing.T) {
	r := newReceiver(t)
	c, w := start(), &world{}
	n := newNotifier(t, t.TempDir(), c, w, Target{URL: r.srv.URL, Events: []string{EventFailure}, Authorization: "Bearer x"})
	n.Failure("A", "_graded/Day03/A001.mov", "PUT _graded/Day03/A001.mov: 400 Bad Request", "fix the cause, then run 'odailies-uploader retry'")
	n.step(t.Context())
	if len(r.messages()) != 0 {
		t.Fatal("a failure went before the gather window ended")
	}
	c.add(time.Second)
	n.step(t.Context())
	for i := range 1000 {
		n.Failure("A", "_graded/Day03/B"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".mov", "too large", "export in parts")
	}
	c.add(2 * time.Second)
	n.step(t.Context())
	if got := len(r.messages()); got != 1 {
		t.Fatalf("%d messages after the first failure and a burst within FailureEvery; want 1 (the first)", got)
	}
	c.add(time.Minute)
	n.step(t.Context())
	n.step(t.Context())
	ms := r.messages()
	if len(ms) != 2 {
		t.Fatalf("%d messages; want 2: the first failure, then the 1000 grouped", len(ms))
	}
	if ms[0].Count != 1 || ms[0].Files[0].Path != "_graded/Day03/A001.mov" || ms[0].Watch != "A" ||
		!strings.Contains(ms[0].Text, "retry") || ms[0].Event != EventFailure {
		t.Errorf("first message = %+v", ms[0])
	}
	if ms[1].Count != 1000 || len(ms[1].Files) != maxListed || !strings.Contains(ms[1].Text, "and 980 more") {
		t.Errorf("grouped message: count %d, %d files listed, text %q", ms[1].Count, len(ms[1].Files), ms[1].Text[:80])
	}
	if r.auth[0] != "Bearer x" {
		t.Errorf("Authorization = %q", r.auth[0])
	}
}

func TestHealthOnChangeOnly(t *testing.T) {
	r := newReceiver(t)
	c, w := start(), &world{}
	dir := t.TempDir()
	n := newNotifier(t, dir, c, w, Target{URL: r.srv.URL, Events: []string{EventHealth}})
	n.Health("A", "running", "")
	n.Health("A", "auth-error", "the token in api.token_file was refused (401)")
	n.Health("A", "auth-error", "the token in api.token_file was refused (401)")
	n.step(t.Context())
	// A restart with the same problem is no news.
	n = newNotifier(t, dir, c, w, Target{URL: r.srv.URL, Events: []string{EventHealth}})
	n.Health("A", "auth-error", "the token in api.token_file was refused (401)")
	n.Health("A", "running", "")
	n.step(t.Context())
	ms := r.messages()
	if len(ms) != 2 || !ms[0].Paused || ms[0].State != "auth-error" || !strings.Contains(ms[0].Text, "api.token_file") ||
		ms[1].Paused || ms[1].State != "running" || ms[1].Was != "auth-error" {
		t.Fatalf("messages = %+v", ms)
	}
}

func TestCaughtUpOncePerQuietDay(t *testing.T) {
	r := newReceiver(t)
	c, w := start(), &world{days: map[string]Day{
		"_graded/Day03": {Files: 412, Bytes: 41016893030},
		"_graded/Day04": {Files: 2, Bytes: 10, Failed: 1},
	}}
	n := newNotifier(t, t.TempDir(), c, w, Target{URL: r.srv.URL, Events: []string{EventCaughtUp}, Quiet: 10 * time.Minute})
	n.Activity("A", "_graded/Day03/A001.mov")
	n.Activity("A", "_graded/Day04/A002.mov")
	n.Activity("A", "_graded/loose.mov") // in no day folder
	c.add(9 * time.Minute)
	n.step(t.Context())
	c.add(2 * time.Minute)
	n.step(t.Context()) // quiet, but the queue is not drained
	if len(r.messages()) != 0 {
		t.Fatalf("caught-up sent early: %+v", r.messages())
	}
	w.mu.Lock()
	w.idle = true
	w.mu.Unlock()
	for range 3 {
		n.step(t.Context())
		c.add(time.Hour)
	}
	ms := r.messages()
	if len(ms) != 1 {
		t.Fatalf("%d caught-up messages; want 1 (Day04 has a failure): %+v", len(ms), ms)
	}
	want := "Day03 (_graded/Day03): 412 files, 38.2 GiB uploaded and verified, 0 failed"
	if m := ms[0]; m.Text != "[A] "+want || m.Folder != "_graded/Day03" || m.Day != "Day03" || m.Uploaded != 412 || m.Failed != 0 {
		t.Errorf("caught-up = %+v", m)
	}
	// New work in the day makes it due again, once.
	n.Activity("A", "_graded/Day03/A003.mov")
	c.add(11 * time.Minute)
	n.step(t.Context())
	n.step(t.Context())
	if got := len(r.messages()); got != 2 {
		t.Errorf("%d messages after new work in Day03; want 2", got)
	}
}

func TestDownReceiverGetsEverythingOnceAcrossRestart(t *testing.T) {
	r := newReceiver(t)
	r.down.Store(true)
	c, w := start(), &world{idle: true, days: map[string]Day{"_graded/Day03": {Files: 3, Bytes: 3 << 20}}}
	dir := t.TempDir()
	all := Target{URL: r.srv.URL, Events: []string{EventFailure, EventHealth, EventCaughtUp}, Quiet: time.Minute}
	n := newNotifier(t, dir, c, w, all)
	n.Health("A", "offline", "the oDailies API cannot be reached")
	n.Failure("A", "_graded/Day05/x.mov", "gave up after 20 attempts", "retry")
	n.Activity("A", "_graded/Day03/a.mov")
	for range 5 {
		c.add(time.Minute)
		n.step(t.Context())
	}
	if len(r.messages()) != 0 {
		t.Fatal("the receiver is down, yet messages were recorded")
	}
	// The daemon stops; the receiver comes back; a new process loads the outbox.
	r.down.Store(false)
	n = newNotifier(t, dir, c, w, all)
	c.add(time.Minute)
	n.step(t.Context())
	c.add(time.Minute)
	n.step(t.Context())
	n = newNotifier(t, dir, c, w, all) // and once more: nothing is sent twice
	c.add(time.Hour)
	n.step(t.Context())
	kinds := map[string]int{}
	for _, m := range r.messages() {
		kinds[m.Event]++
	}
	if kinds[EventHealth] != 1 || kinds[EventFailure] != 1 || kinds[EventCaughtUp] != 1 || len(r.messages()) != 3 {
		t.Errorf("received %v; want one of each", kinds)
	}
	ids := map[string]bool{}
	for _, m := range r.messages() {
		if ids[m.ID] {
			t.Errorf("id %s sent twice", m.ID)
		}
		ids[m.ID] = true
	}
}

func TestSlackPayloadShape(t *testing.T) {
	batches := [][]event{
		{{ID: "1", Kind: EventFailure, Show: "A", Path: "_graded/a.mov", Reason: "PUT https://s3.example.com/b/a.mov?X-Amz-Signature=abc: 400", Fix: "retry"}},
		{{ID: "2", Kind: EventHealth, State: "auth-error", Detail: "token refused"}},
		{{ID: "3", Kind: EventCaughtUp, Folder: "_graded/Day03", Files: 412, Bytes: 41016893030}},
	}
	var many []event
	for i := range 300 {
		many = append(many, event{ID: "m", Kind: EventFailure, Path: strings.Repeat("p", 200) + string(rune('a'+i%26)), Reason: "r", Fix: "f"})
	}
	batches = append(batches, many)
	for _, b := range batches {
		body, err := render(FormatSlack, b)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatal(err)
		}
		for k := range top {
			if k != "text" && k != "blocks" {
				t.Errorf("slack payload has key %q; incoming webhooks take text and blocks", k)
			}
		}
		var s struct {
			Text   *string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		if s.Text == nil || *s.Text == "" {
			t.Errorf("no text: %s", body)
		}
		for _, bl := range s.Blocks {
			if bl.Type != "section" || (bl.Text.Type != "mrkdwn" && bl.Text.Type != "plain_text") ||
				bl.Text.Text == "" || len(bl.Text.Text) > slackSectionMax {
				t.Errorf("block %+v is not a section Slack accepts", bl)
			}
		}
		if strings.Contains(string(body), "X-Amz-Signature") || strings.Contains(string(body), "abc") {
			t.Errorf("a signed URL's query reached the payload: %s", body)
		}
	}
}

func TestWhereHidesThePath(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XYZ": "https://hooks.slack.com/…",
		"https://u:pw@h.example:8443/x?k=v":          "https://h.example:8443/…",
		"not a url":                                  "(webhook)",
	} {
		if got := Where(raw); got != want {
			t.Errorf("Where(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestCaughtUpTextSaysWhatWasNotVerified(t *testing.T) {
	for _, tc := range []struct {
		files, unverified int
		want              string
	}{
		{412, 0, "Day03 (_graded/Day03): 412 files, 38.2 GiB uploaded and verified, 0 failed"},
		{1, 0, "Day03 (_graded/Day03): 1 file, 38.2 GiB uploaded and verified, 0 failed"},
		{412, 2, "Day03 (_graded/Day03): 412 files, 38.2 GiB uploaded, 2 of them not verified, 0 failed"},
		{2, 2, `Day03 (_graded/Day03): 2 files, 38.2 GiB uploaded (not verified: upload.verify = "none" or an older version), 0 failed`},
	} {
		if got := CaughtUpText("Day03", "_graded/Day03", tc.files, tc.unverified, 41016893030); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestUnsavableOutboxSaidOnceAndKept(t *testing.T) {
	r := newReceiver(t)
	c := start()
	dir := t.TempDir()
	var log strings.Builder
	n, err := New(Options{Targets: []Target{{URL: r.srv.URL, Events: []string{EventHealth}}}, Dir: dir + "/missing",
		Now: c.now, Logger: slogTo(&log)})
	if err != nil {
		t.Fatal(err)
	}
	n.Health("A", "offline", "x")
	for range 5 {
		n.step(t.Context())
	}
	if got := strings.Count(log.String(), "cannot save the notification outbox"); got != 1 {
		t.Errorf("the save failure was logged %d times; want once:\n%s", got, log.String())
	}
	if len(r.messages()) != 1 {
		t.Errorf("the message was not sent while the outbox could not be saved: %d", len(r.messages()))
	}
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
