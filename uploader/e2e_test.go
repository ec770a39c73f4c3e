package uploader

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/s3test"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

const (
	e2eProject = "proj-1"
	e2eToken   = "tok-e2e-0123456789"
)

// startAPI runs the fake oDailies API issuing URLs with presign and
// returns it with a real client for it.
func startAPI(t *testing.T, presign func(string, time.Duration) (string, error)) (*odailiestest.Server, *odailies.Client) {
	t.Helper()
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: e2eProject,
		Tokens:    map[string]odailiestest.Perm{e2eToken: odailiestest.Upload},
		Presign:   presign,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	c, err := odailies.New(odailies.Options{BaseURL: api.URL(), ProjectID: e2eProject, Token: e2eToken})
	if err != nil {
		t.Fatal(err)
	}
	return api, c
}

// TestE2EObjectsArriveIntact: real signing, real SigV4 URLs, real S3: the
// objects are byte-identical under the exact keys, hostile names included.
func TestE2EObjectsArriveIntact(t *testing.T) {
	s3 := s3test.Start(t)
	_, client := startAPI(t, s3.Presign)
	e := newEnv(t, nil, client)
	files := []struct{ disk, key string }{
		{"_graded/empty.mov", "_graded/empty.mov"},
		{"_graded/day 1/A001 #2?x=%41+b&c;d.mov", "_graded/day 1/A001 #2?x=%41+b&c;d.mov"},
		{"_graded/big.mov", "_graded/big.mov"},
		{"_thumbnails/cafe\u0301 NFD.jpg", "_thumbnails/caf\u00e9 NFD.jpg"},
		{"_thumbnails/日本語/ü.jpg", "_thumbnails/日本語/ü.jpg"},
	}
	sizes := map[string]int{"_graded/big.mov": 5 << 20, "_graded/empty.mov": 0}
	for _, f := range files {
		size, ok := sizes[f.disk]
		if !ok {
			size = 777
		}
		e.enqueue(e.file(f.disk, pattern(size)))
	}
	e.run(Options{})
	for _, f := range files {
		if ev := e.next(f.disk); ev.kind != "done" {
			t.Fatalf("%s: %s %q", f.disk, ev.kind, ev.reason)
		}
		want, _ := os.ReadFile(filepath.Join(e.root, filepath.FromSlash(f.disk)))
		if got, ok := s3.Object(t, f.key); !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: stored %d bytes (present %v), want %d", f.key, len(got), ok, len(want))
		}
	}
	if keys := s3.Keys(t); len(keys) != len(files) {
		t.Errorf("bucket holds %q", keys)
	}
}

// TestE2EExpiredURLResigned: storage's URL dies sooner than the API said
// (a skewed storage clock); a retry over a slow link finds it expired,
// wastes one PUT on it and signs again.
func TestE2EExpiredURLResigned(t *testing.T) {
	s3 := s3test.Start(t)
	link := s3test.Proxy(t, strings.TrimPrefix(s3.Endpoint, "http://"))
	via := s3.Via(link.Addr)
	// Two seconds: SigV4 dates have whole seconds, so a fresh URL lives
	// one to two seconds, and the retry (>= 2.5 s later) finds it dead.
	presign := func(rel string, _ time.Duration) (string, error) { return via.Presign(rel, 2*time.Second) }
	api, client := startAPI(t, presign)
	e := newEnv(t, nil, client)
	const rel = "_graded/a.mov"
	want := pattern(2 << 20)
	e.enqueue(e.file(rel, want))

	hang := link.Timeout(s3test.Upstream, 0)
	e.run(Options{StallTimeout: 500 * time.Millisecond, RetryMin: 4 * time.Second, RetryMax: 4 * time.Second})
	if ev := e.next(rel); ev.kind != "retry" || !strings.Contains(ev.reason, "stalled") {
		t.Fatalf("first attempt: %s %q, want a stall", ev.kind, ev.reason)
	}
	link.Remove(hang)
	link.Latency(s3test.Upstream, 50, 0)
	// The dead URL costs one PUT; storage may refuse it before or while
	// the body goes, so a connection cut is one more (transient) retry,
	// and on a loaded machine the cut can come twice.
	for i := 0; ; i++ {
		ev := e.next(rel)
		if ev.kind == "done" {
			break
		}
		if ev.kind != "retry" || i == 3 {
			t.Fatalf("attempt %d after the stall: %s %q", i+2, ev.kind, ev.reason)
		}
	}
	if got, _ := s3.Object(t, rel); !bytes.Equal(got, want) {
		t.Errorf("stored %d bytes, want %d", len(got), len(want))
	}
	if n := api.Requests("sign"); n < 2 || n > 5 {
		t.Errorf("%d sign requests, want 2 to 5 (the first, then one per dead URL)\n%s", n, e.logs)
	}
}

// appendOnPut grows a file when its first PUT starts, after the uploader
// checked it: the bytes sent are the old version's.
type appendOnPut struct {
	next  http.RoundTripper
	local string
	once  sync.Once
	err   error
}

func (a *appendOnPut) RoundTrip(r *http.Request) (*http.Response, error) {
	a.once.Do(func() {
		f, err := os.OpenFile(a.local, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			a.err = err
			return
		}
		_, a.err = f.Write(pattern(4096))
		if cerr := f.Close(); a.err == nil {
			a.err = cerr
		}
	})
	return a.next.RoundTrip(r)
}

// TestE2EGrowingFileSentAgain: a file that grows during its PUT is not
// counted; its new version, queued as the watcher would, arrives whole.
func TestE2EGrowingFileSentAgain(t *testing.T) {
	s3 := s3test.Start(t)
	_, client := startAPI(t, s3.Presign)
	e := newEnv(t, nil, client)
	const rel = "_graded/growing.mov"
	e.enqueue(e.file(rel, pattern(3<<20)))
	grow := &appendOnPut{next: NewTransport(1), local: filepath.Join(e.root, rel)}
	e.run(Options{HTTPClient: &http.Client{Transport: grow}})
	if ev := e.next(rel); ev.kind != "changed" {
		t.Fatalf("first version: %s %q, want changed", ev.kind, ev.reason)
	}
	if grow.err != nil {
		t.Fatal(grow.err)
	}
	// The first PUT's whole 3 MiB reached the storage before the client
	// broke the request off (the file had grown past Content-Length), and
	// versitygw may still be storing it: wait until it has, so that it
	// cannot land after the new version. The daemon's settle time gives
	// a grown file the same pause.
	deadline := time.Now().Add(5 * time.Second)
	for got, _ := s3.Object(t, rel); len(got) != 3<<20 && time.Now().Before(deadline); got, _ = s3.Object(t, rel) {
		time.Sleep(20 * time.Millisecond) // polls another process
	}
	e.enqueue(e.item(rel))
	if ev := e.next(rel); ev.kind != "done" {
		t.Fatalf("new version: %s %q", ev.kind, ev.reason)
	}
	want, _ := os.ReadFile(filepath.Join(e.root, rel))
	if got, _ := s3.Object(t, rel); !bytes.Equal(got, want) || len(want) != 3<<20+4096 {
		t.Errorf("stored %d bytes, want the whole %d", len(got), len(want))
	}
}
