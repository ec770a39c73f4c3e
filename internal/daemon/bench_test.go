package daemon

// Benchmarks of Sync in process, for profiling where the per-file CPU and
// memory go (go test -run '^$' -bench Sync -cpuprofile cpu.out
// -memprofile mem.out ./internal/daemon). The storage is an https server
// in the same process that reads and drops every body, answering its MD5
// as the ETag like S3 (its certificate
// joins SSL_CERT_FILE's bundle before any TLS use), and the fake API signs
// URLs to it; their share (net/http's server side, TLS) is in the profile
// too: read the daemon's packages. With ODAILIES_BENCH_PEAKHEAP=FILE, a
// heap profile is written to FILE whenever the live heap reaches a new
// high during Sync (go tool pprof -sample_index=inuse_space FILE): the
// state that sets the peak RSS, which -memprofile (taken at the end) does
// not show. The whole-process figures against a bare loop and real S3 are
// scripts/bench-sync.sh's.

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/logging"
	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

func BenchmarkSync1500x64KiB(b *testing.B)  { benchSync(b, 1500, 64<<10, 1500) }
func BenchmarkSync20000x1KiB(b *testing.B)  { benchSync(b, 20000, 1<<10, 500) }
func BenchmarkSync100000x1KiB(b *testing.B) { benchSync(b, 100000, 1<<10, 500) }

// benchSync writes n files of size (perDir to a folder) once, then runs
// one first Sync per iteration over them with a fresh state.dir and the
// status log in a file, as `sync` does.
// dropStorage is an https storage that reads every PUT body whole and
// drops it. Its certificate is added to a bundle of SSL_CERT_FILE's, which
// the process's first TLS verification reads.
func dropStorage(b *testing.B) string {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		n, err := io.Copy(h, r.Body)
		if r.Method != http.MethodPut || err != nil || n != r.ContentLength {
			http.Error(w, "bad PUT", http.StatusBadRequest)
			return
		}
		// The body's MD5, as S3 and versitygw answer a single PUT: the
		// daemon then keeps what it keeps for real storage.
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
	}))
	srv.StartTLS()
	b.Cleanup(srv.Close)
	var bundle []byte
	if old := os.Getenv("SSL_CERT_FILE"); old != "" {
		bundle, _ = os.ReadFile(old)
	}
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})...)
	path := filepath.Join(b.TempDir(), "bundle.pem")
	if err := os.WriteFile(path, bundle, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Setenv("SSL_CERT_FILE", path)
	return srv.URL
}

func benchSync(b *testing.B, n int, size int64, perDir int) {
	root := b.TempDir()
	buf := make([]byte, size)
	old := time.Now().Add(-time.Hour)
	for i := range n {
		p := filepath.Join(root, "_thumbnails", fmt.Sprintf("d%03d", i/perDir), fmt.Sprintf("f%06d.jpg", i))
		if i%perDir == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		buf[0], buf[1], buf[2] = byte(i), byte(i>>8), byte(i>>16)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "_graded"), 0o755); err != nil {
		b.Fatal(err)
	}
	storage := dropStorage(b)
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "proj", Tokens: map[string]odailiestest.Perm{worldToken: odailiestest.Upload}, Dir: b.TempDir(),
		Presign: func(rel string, _ time.Duration) (string, error) {
			return storage + "/" + rel + "?sig=bench", nil // the bench's names need no escaping
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer api.Close()
	b.SetBytes(int64(n) * size)
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		state, err := os.MkdirTemp("", "odb")
		if err != nil {
			b.Fatal(err)
		}
		body := fmt.Sprintf("[api]\nbase_url = %q\nproject_id = \"proj\"\ntoken = %q\n"+
			"[watch]\nroot = %s\n[upload]\nworkers = 4\n[state]\ndir = %s\n[log]\nfile = %s\n",
			api.URL(), worldToken, configtest.Quote(root), configtest.Quote(state),
			configtest.Quote(filepath.Join(state, "uploader.log")))
		cfgPath := filepath.Join(state, "config.toml")
		if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
		cfg, _, err := config.Load(cfgPath, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		logger, closer, err := logging.New(cfg.Log, os.Stderr, redact.New(cfg.API.Token))
		if err != nil {
			b.Fatal(err)
		}
		d, err := Open(cfg, logger)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		stopPeak := peakHeapProfile(b, os.Getenv("ODAILIES_BENCH_PEAKHEAP"))
		err = d.Sync(ctx, SyncOptions{})
		stopPeak()
		cancel()
		d.Close()
		closer.Close()
		if err != nil {
			b.Fatalf("Sync: %v", err)
		}
		b.StopTimer()
		os.RemoveAll(state)
		b.StartTimer()
	}
}

// peakHeapProfile writes a heap profile to path each time the live heap
// (after a collection) reaches a new high, looking every 100 ms until the
// returned stop is called; path "" does nothing.
func peakHeapProfile(b *testing.B, path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	runtime.MemProfileRate = 4096 // fine enough to see per-file state
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var peak uint64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc <= peak {
				continue
			}
			peak = ms.HeapAlloc
			f, err := os.Create(path)
			if err != nil {
				b.Error(err)
				return
			}
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				b.Error(err)
			}
			f.Close()
		}
	}()
	return func() { close(done); <-finished }
}
