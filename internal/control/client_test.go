package control

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fake serves h on a fresh socket, as another program or another version
// of the daemon would.
func fake(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	path := sockPath(t)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return path
}

func TestNotRunning(t *testing.T) {
	dir := shortDir(t)
	stale := filepath.Join(dir, "stale.sock")
	staleSocket(t, stale)
	for name, path := range map[string]string{
		"no socket":    filepath.Join(dir, "control.sock"),
		"no state.dir": filepath.Join(dir, "missing", "control.sock"),
		"stale socket": stale,
	} {
		c := Dial(path, ClientOptions{})
		if _, err := c.Hello(t.Context()); !errors.Is(err, ErrNotRunning) {
			t.Errorf("%s: Hello: %v, want ErrNotRunning", name, err)
		}
		err := c.Call(t.Context(), "retry", retryReq{}, nil)
		if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: Call: %v, want ErrNotRunning naming the socket", name, err)
		}
	}
	// The client made nothing: the stale socket is still the only entry.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "stale.sock" {
		t.Errorf("state.dir holds %v after the calls, want only stale.sock", entries)
	}
}

func TestVersionMismatch(t *testing.T) {
	path := fake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/hello" {
			writeJSON(w, 200, Hello{API: 2, Version: "2.0.0", PID: 1, UID: 0})
			return
		}
		http.NotFound(w, r) // a v2 daemon that dropped /v1/ routes
	})
	c := Dial(path, ClientOptions{})
	want := "the running daemon speaks control API v2; this command speaks v1: " +
		"run the same version, or restart the service after an upgrade"
	h, err := c.Hello(t.Context())
	if !errors.Is(err, ErrVersionMismatch) || err.Error() != want || h.API != 2 {
		t.Errorf("Hello: %+v, %v; want API 2 and %q", h, err, want)
	}
	err = c.Call(t.Context(), "retry", nil, nil)
	if !errors.Is(err, ErrVersionMismatch) || err.Error() != want {
		t.Errorf("Call: %v, want %q", err, want)
	}
}

func TestNotADaemon(t *testing.T) {
	path := fake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("<html>hi</html>"))
	})
	c := Dial(path, ClientOptions{})
	err := c.Call(t.Context(), "retry", nil, nil)
	if err == nil || !strings.Contains(err.Error(), `unexpected answer 418 I'm a teapot "<html>hi</html>"`) {
		t.Errorf("Call: %v", err)
	}
	path = fake(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"hello":"world"}`)) })
	if _, err := Dial(path, ClientOptions{}).Hello(t.Context()); err == nil ||
		!strings.Contains(err.Error(), "not as an odailies-uploader daemon") {
		t.Errorf("Hello: %v", err)
	}
}

// TestStuckDaemon: the kernel accepts the connection but nobody serves it.
func TestStuckDaemon(t *testing.T) {
	path := sockPath(t)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := Dial(path, ClientOptions{Timeout: 100 * time.Millisecond, Log: "/var/log/odailies-uploader.log"})
	begin := time.Now()
	err = c.Call(t.Context(), "retry", nil, nil)
	want := "the running daemon did not answer within 100ms (is it stuck? see /var/log/odailies-uploader.log)"
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), want) {
		t.Errorf("Call: %v, want %q", err, want)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Call took %s", d)
	}
	if errors.Is(err, ErrNotRunning) {
		t.Errorf("a stuck daemon is not ErrNotRunning: callers must not open the queue")
	}
}

func TestCallerCancel(t *testing.T) {
	path := sockPath(t)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = Dial(path, ClientOptions{}).Call(ctx, "retry", nil, nil)
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "stuck") {
		t.Errorf("Call with a cancelled ctx: %v", err)
	}
}
