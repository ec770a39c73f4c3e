package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/status"
)

const (
	token     = "tok-secret/with+odd&chars-0123456789"
	signedURL = "https://s3.example/bucket/_graded/a.mov?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0123456789abcdef0123"
)

// fakeSource is a daemon with one or several shows whose texts hold the
// token and a signed URL, as an unredacted error could.
type fakeSource struct {
	mu      sync.Mutex
	shows   []string
	sent    int64 // bytes_sent of the one active upload
	retried [][]string
	retryTo string
}

func (f *fakeSource) doc(name string) *status.Doc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &status.Doc{State: status.Running, Queued: 2, Active: 1, Done: 5, Failed: 1, Rate: 1000,
		ActiveFiles:    []status.ActiveFile{{Path: "_graded/a.mov", BytesSent: f.sent, Size: 10000, Watch: name}},
		RecentFailures: []status.RecentFailure{{Path: "_graded/b.mov", Error: "PUT " + signedURL + " for " + token + ": 400"}},
		Watcher:        status.Watcher{Mode: "events", LastScan: time.Now()},
		Detail:         "", Bandwidth: status.Bandwidth{Limit: 4 << 20}}
}

func (f *fakeSource) Status(time.Time) (*status.Doc, []ShowStatus) {
	var out []ShowStatus
	for _, n := range f.shows {
		out = append(out, ShowStatus{Name: n, Doc: f.doc(n)})
	}
	return f.doc(""), out
}

func (f *fakeSource) Recent(string, int) ([]Upload, error) {
	return []Upload{{Path: "_thumbnails/a.jpg", Size: 10, At: time.Now(), MD5: "d41d8cd98f00b204e9800998ecf8427e", Verified: "md5+etag"}}, nil
}

func (f *fakeSource) Failures(string, int) ([]Failure, error) {
	return []Failure{{Path: "_graded/b.mov", Error: "PUT " + signedURL + " refused for token " + token, At: time.Now(), Attempts: 3}}, nil
}

func (f *fakeSource) Retry(_ context.Context, show string, paths []string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried, f.retryTo = append(f.retried, paths), show
	return max(1, len(paths)), nil
}

func (f *fakeSource) retries() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.retried)
}

// start serves a dashboard over src on a loopback port; addr is its
// host:port.
func start(t *testing.T, src Source, o Options) (srv *Server, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Redactor == nil {
		o.Redactor = redact.New(token)
	}
	if o.Why == nil {
		o.Why = func(_ context.Context, path string) (any, error) {
			return map[string]any{"answers": []map[string]string{{"path": path, "state": "failed", "reason": "PUT " + signedURL + " with " + token}}}, nil
		}
	}
	srv = New(src, o)
	hs := httptest.NewUnstartedServer(srv.Handler(ln.Addr().String()))
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return srv, ln.Addr().String()
}

// do sends one request to addr with the Host header host (addr when "")
// and the headers given, and returns the status and body.
func do(t *testing.T, method, addr, host, path string, hdr map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// csrfOf reads the CSRF token from the page, as its script does.
func csrfOf(t *testing.T, addr string) string {
	t.Helper()
	code, page, _ := do(t, "GET", addr, "", "/", nil, "")
	m := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("GET /: %d, no CSRF token in the page:\n%s", code, page)
	}
	return m[1]
}

func TestForeignHostIsRefused(t *testing.T) {
	_, addr := start(t, &fakeSource{shows: []string{""}}, Options{})
	_, port, _ := net.SplitHostPort(addr)
	for _, tt := range []struct {
		host string
		want int
	}{
		{"", 200},
		{"localhost:" + port, 200},
		{"127.0.0.1:" + port, 200},
		{"[::1]:" + port, 200},
		{"LOCALHOST:" + port, 200},
		{"evil.example:" + port, http.StatusMisdirectedRequest},
		{"evil.example", http.StatusMisdirectedRequest},
		{"127.0.0.1.nip.io:" + port, http.StatusMisdirectedRequest},
		{"localhost:1", http.StatusMisdirectedRequest},
		{"192.168.1.20:" + port, http.StatusMisdirectedRequest}, // listening on loopback only
	} {
		for _, path := range []string{"/", "/api/state", "/app.js"} {
			code, body, hdr := do(t, "GET", addr, tt.host, path, nil, "")
			if code != tt.want {
				t.Errorf("Host %q %s: %d, want %d", tt.host, path, code, tt.want)
			}
			if code != 200 && (strings.Contains(body, "X-Amz") || strings.Contains(body, "_graded")) {
				t.Errorf("Host %q: the refusal shows state: %s", tt.host, body)
			}
			if hdr.Get("X-Frame-Options") != "DENY" || hdr.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("Host %q %s: security headers missing: %v", tt.host, path, hdr)
			}
		}
	}
	// A foreign Host on a POST with a valid token is refused before anything else.
	csrf := csrfOf(t, addr)
	code, _, _ := do(t, "POST", addr, "evil.example:"+port, "/api/retry",
		map[string]string{CSRFHeader: csrf, "Origin": "http://evil.example:" + port}, `{}`)
	if code != http.StatusMisdirectedRequest {
		t.Errorf("rebinding POST: %d, want 421", code)
	}
}

func TestHostOnEveryAddress(t *testing.T) {
	s := New(&fakeSource{}, Options{Listen: "0.0.0.0:8484"})
	s.Handler("0.0.0.0:8484")
	for host, want := range map[string]bool{
		"192.168.1.20:8484": true, "[fe80::1]:8484": true, "localhost:8484": true,
		"evil.example:8484": false, "192.168.1.20:9999": false,
	} {
		if got := s.hostAllowed(host); got != want {
			t.Errorf("listening on 0.0.0.0: Host %q allowed %v, want %v", host, got, want)
		}
	}
	lan := New(&fakeSource{}, Options{Listen: "192.168.1.20:8484"})
	lan.Handler("192.168.1.20:8484")
	if !lan.hostAllowed("192.168.1.20:8484") || lan.hostAllowed("10.0.0.1:8484") {
		t.Error("listening on a LAN address: its own address must be allowed, another refused")
	}
}

func TestChangesNeedTheCSRFTokenAndTheSameOrigin(t *testing.T) {
	src := &fakeSource{shows: []string{""}}
	_, addr := start(t, src, Options{})
	csrf := csrfOf(t, addr)
	origin := "http://" + addr
	body := `{"show":"","paths":["_graded/b.mov"]}`
	for _, tt := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no token", map[string]string{"Origin": origin}, 403},
		{"wrong token", map[string]string{"Origin": origin, CSRFHeader: strings.Repeat("0", 64)}, 403},
		{"short token", map[string]string{"Origin": origin, CSRFHeader: csrf[:10]}, 403},
		{"foreign origin", map[string]string{"Origin": "http://evil.example", CSRFHeader: csrf}, 403},
		{"origin of another port", map[string]string{"Origin": "http://127.0.0.1:1", CSRFHeader: csrf}, 403},
		{"null origin", map[string]string{"Origin": "null", CSRFHeader: csrf}, 403},
		{"no origin, cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", CSRFHeader: csrf}, 403},
		{"no origin at all", map[string]string{CSRFHeader: csrf}, 403},
		{"same origin", map[string]string{"Origin": origin, CSRFHeader: csrf}, 200},
		{"same-origin fetch without Origin", map[string]string{"Sec-Fetch-Site": "same-origin", CSRFHeader: csrf}, 200},
	} {
		before := src.retries()
		code, out, _ := do(t, "POST", addr, "", "/api/retry", tt.hdr, body)
		if code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, code, out, tt.want)
		}
		if called := src.retries() > before; called != (tt.want == 200) {
			t.Errorf("%s: retry called %v", tt.name, called)
		}
	}
	if src.retried[0][0] != "_graded/b.mov" {
		t.Errorf("retry got %v", src.retried)
	}
	// GET never changes anything: retry is POST only.
	if code, _, _ := do(t, "GET", addr, "", "/api/retry", nil, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/retry: %d, want 405", code)
	}
}

func TestPassword(t *testing.T) {
	_, addr := start(t, &fakeSource{shows: []string{""}}, Options{Password: "correct horse"})
	for _, tt := range []struct {
		user, pw string
		set      bool
		want     int
	}{
		{"", "", false, 401},
		{"dit", "wrong", true, 401},
		{"dit", "correct hors", true, 401},
		{"dit", "correct horse", true, 200},
		{"", "correct horse", true, 200},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", "http://"+addr+"/api/state", nil)
		if tt.set {
			req.SetBasicAuth(tt.user, tt.pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("user %q password %q: %d, want %d", tt.user, tt.pw, resp.StatusCode, tt.want)
		}
		if tt.want == 401 && (resp.Header.Get("WWW-Authenticate") == "" || strings.Contains(string(b), "_graded")) {
			t.Errorf("401 without a challenge, or with state: %v %s", resp.Header, b)
		}
	}
}

// secretRE finds what must never leave: the token in any spelling and a
// signed URL's signature.
func leaks(text string) []string {
	var out []string
	for _, s := range redact.Spellings(token) {
		if strings.Contains(text, s) {
			out = append(out, "token")
		}
	}
	if strings.Contains(strings.ToLower(text), "x-amz-signature") {
		out = append(out, "X-Amz-Signature")
	}
	return out
}

func TestNoSecretInAnyPageOrAnswer(t *testing.T) {
	for _, shows := range [][]string{{""}, {"Show A", "Show B"}} {
		src := &fakeSource{shows: shows}
		_, addr := start(t, src, Options{Version: "test"})
		csrf := csrfOf(t, addr)
		post := map[string]string{"Origin": "http://" + addr, CSRFHeader: csrf}
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/", ""}, {"GET", "/app.js", ""}, {"GET", "/style.css", ""}, {"GET", "/api/state", ""},
			{"GET", "/api/why?path=_graded/b.mov", ""}, {"GET", "/api/why", ""}, {"GET", "/nope", ""},
			{"POST", "/api/retry", `{"paths":[]}`}, {"POST", "/api/retry", `not json`},
		} {
			code, body, _ := do(t, r.method, addr, "", r.path, post, r.body)
			if l := leaks(body); len(l) > 0 {
				t.Errorf("%s %s (%d) shows the %v:\n%s", r.method, r.path, code, l, body)
			}
			if strings.HasPrefix(r.path, "/api/") && code < 300 && !json.Valid([]byte(body)) {
				t.Errorf("%s %s: not JSON after redaction: %s", r.method, r.path, body)
			}
		}
		// The failure reason is still there, its URL cut.
		_, state, _ := do(t, "GET", addr, "", "/api/state", nil, "")
		if !strings.Contains(state, "https://s3.example/bucket/_graded/a.mov") || !strings.Contains(state, "refused for token") {
			t.Errorf("the redacted failure lost its text: %s", state)
		}
	}
}

func TestStateShowsEachShowAndTheTotals(t *testing.T) {
	src := &fakeSource{shows: []string{"Show A", "Show B"}}
	_, addr := start(t, src, Options{})
	_, body, _ := do(t, "GET", addr, "", "/api/state", nil, "")
	var v view
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Shows) != 2 || v.Shows[0].Name != "Show A" || v.Shows[1].Name != "Show B" {
		t.Fatalf("shows %+v", v.Shows)
	}
	if len(v.Total.Active) != 2 || len(v.Total.Failures) != 2 || len(v.Total.Recent) != 2 || v.Total.Counts.Failed != 1 {
		t.Errorf("totals %+v", v.Total)
	}
	if v.Shows[0].Bandwidth.Limit != 4<<20 || v.Shows[0].Watcher.Mode != "events" || v.Shows[0].Recent[0].Verified != "md5+etag" {
		t.Errorf("show A %+v", v.Shows[0])
	}
	if len(v.History.Shows) != 2 {
		t.Errorf("history has %d show series, want 2", len(v.History.Shows))
	}
}

func TestActiveUploadRateAndETA(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	src := &fakeSource{shows: []string{""}}
	s := New(src, Options{Listen: "127.0.0.1:0", Now: func() time.Time { return now }})
	first := s.state().Shows[0].Active[0]
	if first.Rate != 0 || first.ETA != 0 {
		t.Errorf("first look: rate %v eta %v, want unknown (0)", first.Rate, first.ETA)
	}
	src.mu.Lock()
	src.sent = 2000
	src.mu.Unlock()
	now = now.Add(time.Second)
	a := s.state().Shows[0].Active[0]
	if a.Rate != 2000 || a.ETA != 5 || a.BytesSent != 2000 {
		t.Errorf("after 2000 bytes in 1 s of 10000: rate %v eta %v sent %v, want 2000, 5, 2000", a.Rate, a.ETA, a.BytesSent)
	}
	src.mu.Lock()
	src.sent = 100 // a new attempt starts over
	src.mu.Unlock()
	now = now.Add(time.Second)
	if a := s.state().Shows[0].Active[0]; a.Rate != 0 {
		t.Errorf("after a restart of the upload: rate %v, want unknown", a.Rate)
	}
}

func TestHistoryKeepsTheLastHourInOrder(t *testing.T) {
	h := newHistory(5*time.Second, 4)
	t0 := time.Unix(1000, 0)
	for i := range 6 {
		h.add(t0.Add(time.Duration(i)*5*time.Second), float64(i), []float64{float64(10 * i)})
	}
	s := h.series(1)
	if len(s.Total) != 4 || s.Total[0] != 2 || s.Total[3] != 5 || s.Shows[0][3] != 50 || s.At[0] != 1010 {
		t.Errorf("series %+v, want the last 4 samples oldest first", s)
	}
	if got := newHistory(historyStep, historyLen); len(got.at)*int(historyStep/time.Second) != 3600 {
		t.Errorf("the ring holds %d samples of %s: not one hour", len(got.at), historyStep)
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct {
		doc   status.Doc
		level string
		title string
		todo  string
	}{
		{status.Doc{State: "auth-error", Detail: "401"}, "bad", "refuses the token", "new upload token"},
		{status.Doc{State: "not-found"}, "bad", "does not know this project", "api.project_id"},
		{status.Doc{State: "offline"}, "warn", "Offline", "network"},
		{status.Doc{State: "slow-down"}, "warn", "Slowed down", "Nothing to do"},
		{status.Doc{State: status.WatchError, Detail: "root missing"}, "bad", "Cannot watch", "plugged in"},
		{status.Doc{State: status.StateDiskError}, "bad", "Cannot write the queue", "state.dir"},
		{status.Doc{State: status.Stopped}, "bad", "Stopped", "start"},
		{status.Doc{State: status.Running, Active: 2}, "busy", "Uploading 2 files", ""},
		{status.Doc{State: status.Running, Queued: 1, Watcher: status.Watcher{LastScan: time.Now()}}, "busy", "1 file waiting", ""},
		{status.Doc{State: status.Running}, "busy", "Scanning", ""},
		{status.Doc{State: status.Running, Watcher: status.Watcher{LastScan: time.Now(), Pending: 3}}, "busy", "finish being written", ""},
		{status.Doc{State: status.Running, Watcher: status.Watcher{LastScan: time.Now()}}, "ok", "All caught up", ""},
		{status.Doc{State: status.Running, Failed: 2, Watcher: status.Watcher{LastScan: time.Now()}}, "warn", "2 files failed", "Retry"},
		{status.Doc{State: status.Running, Detail: `show "B": auth-error: …`}, "warn", "a show is paused", "show below"},
	} {
		h := describe(&tt.doc)
		if h.Level != tt.level || !strings.Contains(h.Title, tt.title) || !strings.Contains(h.Todo, tt.todo) {
			t.Errorf("%s: %+v, want level %s, title with %q, todo with %q", tt.doc.State, h, tt.level, tt.title, tt.todo)
		}
	}
}

func TestRunWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := New(&fakeSource{shows: []string{""}}, Options{Listen: ln.Addr().String()})
	err = s.Run(t.Context())
	if !errors.Is(err, ErrListen) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Run on a taken port: %v, want ErrListen naming the address", err)
	}
}

func TestRunServesAndStops(t *testing.T) {
	s := New(&fakeSource{shows: []string{""}}, Options{Listen: "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-s.ready
	if code, _, _ := do(t, "GET", s.Addr(), "", "/api/state", nil, ""); code != 200 {
		t.Errorf("GET /api/state: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after the stop: %v", err)
	}
}

func TestHandleMountsBehindTheGuard(t *testing.T) {
	s := New(&fakeSource{shows: []string{""}}, Options{Listen: "127.0.0.1:0", Password: "pw"})
	s.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up 1\n") }))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go s.Run(ctx)
	<-s.ready
	get := func(host string, pw bool) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", "http://"+s.Addr()+"/metrics", nil)
		if host != "" {
			req.Host = host
		}
		if pw {
			req.SetBasicAuth("prometheus", "pw")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("", true); code != 200 {
		t.Errorf("GET /metrics with the password: %d", code)
	}
	if code := get("", false); code != 401 {
		t.Errorf("GET /metrics without the password: %d, want 401", code)
	}
	if code := get("evil.example:80", true); code != http.StatusMisdirectedRequest {
		t.Errorf("GET /metrics with a foreign Host: %d, want 421", code)
	}
}
