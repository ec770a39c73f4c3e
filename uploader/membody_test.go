package uploader

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// bodyKinds is a transport that notes the type of every PUT's body, to
// tell the in-memory path (a *bytes.Reader under io.NopCloser, which
// net/http writes with the headers) from the streamed one.
type bodyKinds struct {
	next http.RoundTripper
	mu   sync.Mutex
	kind map[string]string
}

func (b *bodyKinds) RoundTrip(req *http.Request) (*http.Response, error) {
	b.mu.Lock()
	b.kind[req.URL.Path] = fmt.Sprintf("%T", req.Body)
	b.mu.Unlock()
	return b.next.RoundTrip(req)
}

// TestSmallFilesSentFromMemory: files up to memBodyMax go from a pooled
// buffer, byte-identical over TLS, on each side of every pool size;
// larger ones, and every file under a bandwidth cap, are streamed. The
// pool's byte count is what was sent either way.
func TestSmallFilesSentFromMemory(t *testing.T) {
	const inMemory, streamed = "io.nopCloserWriterTo", "*uploader.body"
	sizes := []int{1, memMin - 1, memMin, memMin + 1, 70_000, memBodyMax - 1, memBodyMax, memBodyMax + 1}
	for _, bp := range bodyPaths {
		t.Run(bp.name, func(t *testing.T) {
			st := newConnStorage(t, true)
			e := newEnv(t, nil, st.signer())
			files := map[string][]byte{}
			var total int64
			for round := range 2 { // the second round reuses the pooled buffers
				for i, n := range sizes {
					p := fmt.Sprintf("_thumbnails/r%d-%d.jpg", round, i)
					files[p] = randomData(n + round)
					total += int64(n + round)
					e.enqueue(e.file(p, files[p]))
				}
			}
			kinds := &bodyKinds{next: st.client(2).Transport, kind: map[string]string{}}
			u, _ := e.run(Options{Workers: 2, Bandwidth: bp.bandwidth, HTTPClient: &http.Client{Transport: kinds}})
			for p, want := range files {
				if ev := e.next(p); ev.kind != "done" {
					t.Fatalf("%s: %s %q", p, ev.kind, ev.reason)
				}
				if got := st.object(p); !bytes.Equal(got, want) {
					t.Errorf("%s: stored %d bytes that differ from the file's %d", p, len(got), len(want))
				}
				wantKind := inMemory
				if len(want) > memBodyMax || bp.bandwidth > 0 {
					wantKind = streamed
				}
				kinds.mu.Lock()
				got := kinds.kind["/"+p]
				kinds.mu.Unlock()
				if got != wantKind {
					t.Errorf("%s (%d bytes): body %s, want %s", p, len(want), got, wantKind)
				}
			}
			if got := u.stats.total.Load(); got != total {
				t.Errorf("the pool counts %d bytes sent, want %d", got, total)
			}
		})
	}
}

// TestFileShrankBeforeItsPUT: a small file cut short after its digest
// was taken and before its bytes were read for the PUT is sent with
// nothing of the short read: it is a changed file, to be queued again.
func TestFileShrankBeforeItsPUT(t *testing.T) {
	st := newStorage(t, nil)
	var e *env
	var once sync.Once
	signer := &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		once.Do(func() { // after the digest, before the PUT reads the file
			if err := os.Truncate(filepath.Join(e.root, rel), 1000); err != nil {
				t.Error(err)
			}
		})
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	e = newEnv(t, st, signer)
	e.enqueue(e.file("_thumbnails/a.jpg", pattern(50_000)))
	e.run(Options{Workers: 1})
	if ev := e.next("_thumbnails/a.jpg"); ev.kind != "changed" {
		t.Fatalf("%s %q, want changed", ev.kind, ev.reason)
	}
	if n := st.puts.Load(); n != 0 {
		t.Errorf("%d PUTs of a file that changed before it was read", n)
	}
}
