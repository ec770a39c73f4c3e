package e2e

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dashboardOf waits for the daemon's dashboard start line and returns
// its host:port.
func dashboardOf(r *rig) string {
	r.t.Helper()
	var addr string
	r.eventually("the dashboard's start line", 15*time.Second, func() bool {
		m := dashboardURL.FindStringSubmatch(r.logText())
		if m != nil {
			addr = strings.TrimSuffix(strings.TrimPrefix(m[1], "http://"), "/")
		}
		return m != nil
	})
	return addr
}

// ask sends one request to the running daemon's dashboard and keeps the
// answer with the test's outputs (checked for secrets).
func ask(r *rig, method, addr, host, path string, hdr map[string]string, body string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequestWithContext(r.t.Context(), method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r.capture().Write(b)
	return resp.StatusCode, string(b)
}

// TestDashboardGuard: the running daemon's dashboard refuses a foreign
// Host and any change without its CSRF token or from another origin, and
// shows no token or signature while a failure's text held a signed URL.
func TestDashboardGuard(t *testing.T) {
	r := newRig(t, rigOptions{extraCfg: "[ui]\nlisten = \"127.0.0.1:0\"\n"})
	r.api.FailSign(1, http.StatusBadRequest, 0)
	writeFile(t, r.root, "_thumbnails/refused.jpg", []byte("jpg"))
	d := r.start()
	r.eventually("the failure", 30*time.Second, func() bool { s, ok := r.statusFile(); return ok && s.Failed == 1 })
	addr := dashboardOf(r)
	_, port, _ := net.SplitHostPort(addr)

	if code, _ := ask(r, "GET", addr, "attacker.example:"+port, "/api/state", nil, ""); code != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d, want 421", code)
	}
	code, page := ask(r, "GET", addr, "localhost:"+port, "/", nil, "")
	m := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`).FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("GET / via localhost: %d, no CSRF token", code)
	}
	retry := `{"paths":["_thumbnails/refused.jpg"]}`
	for name, hdr := range map[string]map[string]string{
		"no CSRF token":  {"Origin": "http://" + addr},
		"foreign Origin": {"Origin": "http://attacker.example", "X-CSRF-Token": m[1]},
		"no Origin":      {"X-CSRF-Token": m[1]},
	} {
		if code, _ := ask(r, "POST", addr, "", "/api/retry", hdr, retry); code != http.StatusForbidden {
			t.Errorf("POST /api/retry with %s: %d, want 403", name, code)
		}
	}
	if s, _ := r.statusFile(); s.Failed != 1 {
		t.Errorf("a refused POST changed the queue: failed = %d", s.Failed)
	}
	if code, _ := ask(r, "POST", addr, "", "/api/retry", map[string]string{"Origin": "http://" + addr, "X-CSRF-Token": m[1]}, retry); code != 200 {
		t.Errorf("POST /api/retry from the page: %d", code)
	}
	r.eventually("the retried file stored", 30*time.Second, func() bool { _, ok := r.s3.Object(t, "_thumbnails/refused.jpg"); return ok })
	for _, p := range []string{"/", "/api/state", "/api/why?path=_thumbnails/refused.jpg", "/app.js"} {
		ask(r, "GET", addr, "", p, nil, "")
	}
	d.stop() // rig.checkSecrets reads every answer kept
}

// TestDashboardPortTakenKeepsUploading: a ui.listen whose port another
// program holds is an error in the log naming ui.listen, and the files
// are uploaded all the same.
func TestDashboardPortTakenKeepsUploading(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := newRig(t, rigOptions{extraCfg: "[ui]\nlisten = \"" + ln.Addr().String() + "\"\n"})
	d := r.start()
	writeFile(t, r.root, "_graded/A001C001.mov", []byte("clip"))
	r.eventually("the file stored", 30*time.Second, func() bool { _, ok := r.s3.Object(t, "_graded/A001C001.mov"); return ok })
	log := r.logText()
	if !strings.Contains(log, "the dashboard cannot listen on ui.listen") || !strings.Contains(log, "ui.listen="+ln.Addr().String()) ||
		!strings.Contains(log, "address already in use") {
		t.Errorf("the log does not say the dashboard's port is taken, naming ui.listen:\n%s", r.logTail())
	}
	d.stop()
}
