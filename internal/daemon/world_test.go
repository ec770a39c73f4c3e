package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

const worldToken = "daemon-test-token-0123456789"

// world is one in-process test's machine: the fake API and storage, a
// watch root, a short state folder (the control socket's path is
// limited), and the status log in memory.
type world struct {
	t     *testing.T
	api   *odailiestest.Server
	root  string
	state string
	log   *syncBuffer
	extra string // appended to the config
	base  string // api.base_url; "" means the fake API
}

func newWorld(t *testing.T, perm odailiestest.Perm, dirs ...string) *world {
	t.Helper()
	if perm == 0 {
		perm = odailiestest.Upload
	}
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "proj", Tokens: map[string]odailiestest.Perm{worldToken: perm}, Dir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	state, err := os.MkdirTemp("", "odd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	w := &world{t: t, api: api, root: t.TempDir(), state: state, log: &syncBuffer{}}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(w.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// file writes rel under the root with size bytes, its mtime in the past
// so it counts as settled at once.
func (w *world) file(rel string, size int) {
	w.t.Helper()
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, bytes.Repeat([]byte{'x'}, size), 0o644); err != nil {
		w.t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(p, old, old); err != nil {
		w.t.Fatal(err)
	}
}

// config writes and loads the world's config.
func (w *world) config() *config.Config {
	w.t.Helper()
	base := w.base
	if base == "" {
		base = w.api.URL()
	}
	body := fmt.Sprintf("[api]\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n"+
		"[watch]\nroot = %s\nsettle = \"100ms\"\n[upload]\nretry_min = \"50ms\"\nretry_max = \"200ms\"\n"+
		"[state]\ndir = %s\n[log]\nfile = \"-\"\n%s",
		base, worldToken, configtest.Quote(w.root), configtest.Quote(w.state), w.extra)
	cfg, _, err := config.Load(configtest.Write(w.t, w.t.TempDir(), body), nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return cfg
}

// open opens the daemon on the world's config.
func (w *world) open() (*Daemon, *config.Config) {
	w.t.Helper()
	cfg := w.config()
	d, err := Open(cfg, slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { d.Close() })
	return d, cfg
}

// sync runs Sync with a bound on how long the test waits for it.
func (w *world) sync(ctx context.Context, d *Daemon, o SyncOptions) error {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return d.Sync(ctx, o)
}

// received fails the test unless the storage holds rel with size bytes.
func (w *world) received(rel string, size int) {
	w.t.Helper()
	data, ok := w.api.Received(rel)
	if !ok || len(data) != size {
		w.t.Errorf("storage has %s: %v, %d bytes; want %d bytes\nlog:\n%s", rel, ok, len(data), size, w.log)
	}
}

// syncBuffer is a bytes.Buffer safe for the log's concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) has(s string) bool { return strings.Contains(b.String(), s) }

// waitFor polls cond, which reads state other goroutines change through
// the daemon's own locks, until it holds; it fails the test after 20s.
// Safe to call from any goroutine: it reports with Errorf.
func waitFor(t *testing.T, what string, cond func() bool) bool {
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("waited 20s for %s", what)
			return false
		}
		<-tick.C
	}
	return true
}
