package control

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// staleSocket leaves a socket file at path that nobody listens on, as a
// killed daemon does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != fs.ModeSocket {
		t.Fatalf("no stale socket at %s: %v", path, err)
	}
}

func TestStaleSocketRemovedAtStart(t *testing.T) {
	path := sockPath(t)
	staleSocket(t, path)
	var log logBuffer
	r := start(t, path, ServerOptions{Logger: log.logger()}, nil)
	if _, err := Dial(r.path, ClientOptions{}).Hello(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "stale control socket removed") {
		t.Errorf("no log line for the stale socket:\n%s", log.String())
	}
}

func TestLiveSocketRefused(t *testing.T) {
	first := start(t, sockPath(t), ServerOptions{Version: "first"}, nil)
	err := NewServer(first.path, ServerOptions{}).Run(t.Context())
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), first.path) {
		t.Errorf("second Run: %v, want ErrInUse naming %s", err, first.path)
	}
	h, err := Dial(first.path, ClientOptions{}).Hello(t.Context())
	if err != nil || h.Version != "first" {
		t.Errorf("the first daemon after the second's attempt: %+v, %v", h, err)
	}
}

func TestNotASocketLeftAlone(t *testing.T) {
	path := sockPath(t)
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := NewServer(path, ServerOptions{}).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("Run: %v, want an error saying it is not a socket", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Errorf("the file was changed: %q", data)
	}
}

func TestPathTooLong(t *testing.T) {
	dir := shortDir(t)
	path := filepath.Join(dir, strings.Repeat("d", maxSocketPath-len(dir)), "control.sock")
	err := NewServer(path, ServerOptions{}).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "set state.dir to a shorter folder") || !strings.Contains(err.Error(), path) {
		t.Errorf("Run: %v, want an error naming the path and state.dir", err)
	}
	_, err = Dial(path, ClientOptions{}).Hello(t.Context())
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "state.dir") {
		t.Errorf("Hello: %v, want ErrNotRunning saying why", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left %d entries in %s", len(entries), dir)
	}
}

func TestPathAtLimit(t *testing.T) {
	dir := shortDir(t)
	long := filepath.Join(dir, strings.Repeat("d", maxSocketPath-len(dir)-len("/control.sock")-1))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(long, "control.sock")
	if len(path) != maxSocketPath {
		t.Fatalf("path is %d bytes, want %d", len(path), maxSocketPath)
	}
	r := start(t, path, ServerOptions{}, nil)
	if _, err := Dial(r.path, ClientOptions{}).Hello(t.Context()); err != nil {
		t.Errorf("Hello at the limit: %v", err)
	}
}

func TestRunStopsAndRemovesSocket(t *testing.T) {
	entered := make(chan struct{})
	r := start(t, sockPath(t), ServerOptions{}, func(s *Server) {
		s.Handle("wait", func(ctx context.Context, _ json.RawMessage) (any, error) {
			close(entered)
			<-ctx.Done()
			return nil, ctx.Err()
		})
	})
	called := make(chan error, 1)
	go func() { called <- Dial(r.path, ClientOptions{}).Call(context.Background(), "wait", nil, nil) }()
	<-entered
	begin := time.Now()
	if err := r.stop(t); err != nil {
		t.Errorf("Run after the cancel: %v, want nil", err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Run took %s to stop with a handler that honours ctx", d)
	}
	if err := <-called; err == nil || !strings.Contains(err.Error(), "the daemon is stopping") {
		t.Errorf("the call in flight: %v, want 'the daemon is stopping'", err)
	}
	if _, err := os.Lstat(r.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket still there after Run: %v", err)
	}
}

func TestRunCutsStuckHandler(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	r := start(t, sockPath(t), ServerOptions{}, func(s *Server) {
		s.grace = 50 * time.Millisecond
		s.Handle("stuck", func(context.Context, json.RawMessage) (any, error) {
			close(entered)
			<-release
			return nil, nil
		})
	})
	called := make(chan error, 1)
	go func() { called <- Dial(r.path, ClientOptions{}).Call(context.Background(), "stuck", nil, nil) }()
	<-entered
	if err := r.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	if err := <-called; err == nil {
		t.Errorf("the cut call succeeded")
	}
	if _, err := os.Lstat(r.path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket still there after Run: %v", err)
	}
}
