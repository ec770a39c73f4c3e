package uploader

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/s3test"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
	"github.com/odailies/odailies-uploader/queue"
)

// latencyLink is the link of a set's 4G uplink or a lab far from the
// storage region: 50 ms added to every sign answer (the fake API's
// latency) and to every storage answer (toxiproxy, server to client).
const latencyLink = 50 * time.Millisecond

// BenchmarkSmallFilesLatency is 300 thumbnails of 64 KiB, 4 workers, on
// that link, with the real API client signing every file against the
// fake API: "bare" signs and then PUTs, file after file, in 4 goroutines
// (today's shape without the queue); "uploader" is this package (sign
// ahead, doc.go); "uploader-3s" the same with URLs that live 3 seconds.
// Each reports expired-PUTs, the PUTs the storage refused with 403.
// scripts/bench-upload.sh prints the ratios and the budget (issue 21:
// the uploader at most 0.6 x bare).
func BenchmarkSmallFilesLatency(b *testing.B) {
	s3 := s3test.Start(b)
	link := s3test.Proxy(b, strings.TrimPrefix(s3.Endpoint, "http://"))
	link.Latency(s3test.Downstream, int(latencyLink/time.Millisecond), 0)
	via := s3.Via(link.Addr)
	var prefix atomic.Pointer[string]
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{ProjectID: "bench",
		Tokens: map[string]odailiestest.Perm{"bench-token": odailiestest.Upload},
		Presign: func(rel string, life time.Duration) (string, error) {
			return via.Presign(*prefix.Load()+"/"+rel, life)
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { api.Close() })
	api.SetLatency(latencyLink)
	client, err := odailies.New(odailies.Options{BaseURL: api.URL(), ProjectID: "bench", Token: "bench-token"})
	if err != nil {
		b.Fatal(err)
	}
	set := makeBenchSet(b, "_thumbnails", 300, 64<<10)
	run := func(name string, life time.Duration, f func(b *testing.B, hc *http.Client, p string)) {
		benchRun(b, via, set, name, func(b *testing.B, p string) {
			prefix.Store(&p)
			api.SetURLLifetime(life)
			hc, refused := countingClient()
			f(b, hc, p)
			b.ReportMetric(float64(refused.Load()), "expired-PUTs")
		})
	}
	run("bare", 0, func(b *testing.B, hc *http.Client, _ string) { signThenPutLoop(b, client, hc, set) })
	run("uploader", 0, func(b *testing.B, hc *http.Client, p string) { uploaderVia(b, client, hc, set) })
	run("uploader-3s", 3*time.Second, func(b *testing.B, hc *http.Client, p string) { uploaderVia(b, client, hc, set) })
}

// countingClient is NewTransport's client counting 403 answers.
func countingClient() (*http.Client, *atomic.Int64) {
	var n atomic.Int64
	return &http.Client{Transport: refusalCounter{rt: NewTransport(benchWorkers), n: &n}}, &n
}

type refusalCounter struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (c refusalCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusForbidden {
		c.n.Add(1)
	}
	return resp, err
}

// signThenPutLoop is the bare loop with a real sign request: 4
// goroutines, each signing its file and then PUTting it.
func signThenPutLoop(b *testing.B, s Signer, hc *http.Client, set benchSet) {
	eachFile(b, set, func(it queue.Item) error {
		su, err := s.SignUpload(context.Background(), it.Path)
		if err != nil {
			return err
		}
		return putFile(hc, su.URL, filepath.Join(set.dir, it.Path), it.Size, false)
	})
}

// uploaderVia runs the uploader with signer s and PUT client hc (nil: its
// own) until every file is Done.
func uploaderVia(b *testing.B, s Signer, hc *http.Client, set benchSet) {
	q, err := queue.Open(filepath.Join(b.TempDir(), "queue.db"), queue.Options{Priority: benchPriority})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	jobs := &doneCounter{Jobs: q, all: make(chan struct{})}
	jobs.left.Store(int64(len(set.items)))
	u := New(s, jobs, Options{Root: set.dir, Workers: benchWorkers, FirstClass: benchPriority[0],
		HTTPClient: hc, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	if _, err := q.Enqueue(set.items); err != nil {
		b.Fatal(err)
	}
	select {
	case <-jobs.all:
	case err := <-errc:
		b.Fatalf("Run ended early: %v", err)
	}
	cancel()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(u.ahead.used.Load()), "signed-ahead")
	b.Logf("time in Done: %s", time.Duration(jobs.spent.Load()))
	if r := jobs.bad.Load(); r != nil {
		b.Errorf("an upload was retried: %s", *r)
	}
}
