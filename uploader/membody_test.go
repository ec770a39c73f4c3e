package uploader

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/queue"
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

// streamedSize is a file size that is streamed, not sent from memory,
// for the tests of the hasher ahead and of streamed bodies.
const streamedSize = memBodyMax + 6000

// TestMemForChecksTheFile: the read into memory is of the job's version:
// a file whose size or mtime moved since it was queued is Changed, one
// cut short during the read is a transient error naming how short, and
// a file sent from memory carries the MD5 of the bytes read.
func TestMemForChecksTheFile(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
	data := pattern(50_000)
	it := e.file("_thumbnails/a.jpg", data)
	p := filepath.Join(e.root, "_thumbnails/a.jpg")
	open := func(p string) *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}

	m, _, ok := u.memFor(queue.Job{Item: it}, open(p), true)
	if !ok || m == nil || !bytes.Equal(m.data, data) || m.sum != md5.Sum(data) {
		t.Fatalf("memFor: ok %v, body %v", ok, m != nil)
	}
	m.release()

	moved := it
	moved.ModTime = it.ModTime.Add(time.Second)
	if _, o, ok := u.memFor(queue.Job{Item: moved}, open(p), true); ok || o.verdict != verdictChanged {
		t.Errorf("mtime moved: ok %v, verdict %d %q; want Changed", ok, o.verdict, o.reason)
	}

	if err := os.Truncate(p, 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := readMem(open(p), it.Size); err == nil || !strings.Contains(err.Error(), "ended after 1000 of 50000 bytes") {
		t.Errorf("a short file read into memory: %v", err)
	}

	big := e.file("_graded/b.mov", pattern(memBodyMax+1))
	if m, _, ok := u.memFor(queue.Job{Item: big}, open(filepath.Join(e.root, "_graded/b.mov")), true); !ok || m != nil {
		t.Errorf("a file over memBodyMax: ok %v, in memory %v", ok, m != nil)
	}
}
