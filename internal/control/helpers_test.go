package control

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// childEnv, when set, makes the test binary a client: it says hello on
// the socket named and prints the outcome (see peer_child_test.go).
const childEnv = "CONTROL_TEST_CHILD_SOCKET"

func TestMain(m *testing.M) {
	if sock := os.Getenv(childEnv); sock != "" {
		_, err := Dial(sock, ClientOptions{Timeout: 10 * time.Second}).Hello(context.Background())
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("accepted")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// shortDir is a fresh folder with a short path: t.TempDir's names can
// exceed the socket path limit (103 bytes on macOS).
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// sockPath is a socket path in a fresh short folder.
func sockPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(shortDir(t), "control.sock")
}

// running is a Server in Run.
type running struct {
	s      *Server
	path   string
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// start runs a server on path with the operations register adds, and
// returns once it listens. Cleanup stops it.
func start(t *testing.T, path string, o ServerOptions, register func(*Server)) *running {
	t.Helper()
	s := NewServer(path, o)
	if register != nil {
		register(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, path: path, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	select {
	case <-s.ready:
	case err := <-r.done:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels Run and returns its result, failing the test if Run takes
// more than 5 s.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(5 * time.Second):
			t.Errorf("Run did not return within 5s of the cancel")
		}
	})
	return r.err
}

// logBuffer collects a logger's text output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// raw sends one request on the socket without the Client, for the wire
// protocol's details.
func raw(t *testing.T, path, method, route, body string) (*http.Response, string) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(t.Context(), method, "http://x"+route, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, route, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}
