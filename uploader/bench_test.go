package uploader

// Benchmarks against one versitygw per top-level benchmark, all contenders
// on the same server in the same run (scripts/bench-upload.sh prints the
// ratios):
//
//	bare     4 goroutines: presign locally, PUT over one keep-alive transport; no queue (the limit)
//	uploader this package with the real bbolt queue and the same local presigning
//	rclone   rclone copy --transfers 4 (Debian's rclone)
//	curl     xargs -P 4 curl -T with URLs presigned before the clock starts

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/odailies/odailies-uploader/internal/s3test"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

const benchWorkers = 4

// benchPriority is the default config's upload.priority.
var benchPriority = []string{"_thumbnails", "_graded"}

// benchSet is a folder of files to send.
type benchSet struct {
	dir   string
	items []queue.Item
}

func makeBenchSet(b *testing.B, sub string, n int, size int64) benchSet {
	b.Helper()
	set := benchSet{dir: b.TempDir()}
	buf := pattern(1 << 20)
	for i := range n {
		rel := fmt.Sprintf("%s/f%05d.bin", sub, i)
		p := filepath.Join(set.dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		writeBenchFile(b, p, size, buf, i)
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		set.items = append(set.items, queue.Item{Path: rel, Size: size, ModTime: fi.ModTime()})
	}
	return set
}

func writeBenchFile(b *testing.B, p string, size int64, buf []byte, seed int) {
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf[0], buf[1] = byte(seed), byte(seed>>8) // each file differs
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		if _, err := f.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
		left -= n
	}
}

// BenchmarkSmallFiles sends thumbnails; BenchmarkSmallClips the same files
// as clips (_graded), which the thumbnail lane does not serve: what clips
// get with no thumbnail queued (doc.go, Thumbnails first).
func BenchmarkSmallFiles(b *testing.B) { benchContenders(b, "_thumbnails", 1500, 64<<10) }
func BenchmarkSmallClips(b *testing.B) { benchContenders(b, "_graded", 1500, 64<<10) }
func BenchmarkLargeFiles(b *testing.B) { benchContenders(b, "_graded", 3, 256<<20) }

// BenchmarkSmallClipsLatency is BenchmarkSmallClips, 300 files, on a link
// with 10 ms of latency each way (toxiproxy): where each PUT waits on the
// link rather than on the CPU, what clips get of the workers shows.
func BenchmarkSmallClipsLatency(b *testing.B) {
	s3 := s3test.Start(b)
	link := s3test.Proxy(b, strings.TrimPrefix(s3.Endpoint, "http://"))
	link.Latency(s3test.Upstream, 10, 0)
	link.Latency(s3test.Downstream, 10, 0)
	via := s3.Via(link.Addr)
	set := makeBenchSet(b, "_graded", 300, 64<<10)
	benchRun(b, via, set, "bare", func(b *testing.B, prefix string) { bareLoop(b, via, set, prefix) })
	benchRun(b, via, set, "uploader", func(b *testing.B, prefix string) { uploaderRun(b, via, set, prefix) })
}

func benchContenders(b *testing.B, sub string, n int, size int64) {
	s3 := s3test.Start(b)
	set := makeBenchSet(b, sub, n, size)
	benchRun(b, s3, set, "bare", func(b *testing.B, prefix string) { bareLoop(b, s3, set, prefix) })
	benchRun(b, s3, set, "bare-md5", func(b *testing.B, prefix string) { bareMD5Loop(b, s3, set, prefix) })
	benchRun(b, s3, set, "uploader", func(b *testing.B, prefix string) { uploaderRun(b, s3, set, prefix) })
	benchRun(b, s3, set, "rclone", func(b *testing.B, prefix string) { rcloneCopy(b, s3, set, prefix) })
	benchRun(b, s3, set, "curl", func(b *testing.B, prefix string) { curlLoop(b, s3, set, prefix) })
}

// benchRun runs one contender as a sub-benchmark, checking after each
// run that every file arrived.
func benchRun(b *testing.B, s3 *s3test.Server, set benchSet, name string, f func(b *testing.B, prefix string)) {
	b.Run(name, func(b *testing.B) {
		var total int64
		for _, it := range set.items {
			total += it.Size
		}
		b.SetBytes(total)
		for i := range b.N {
			prefix := fmt.Sprintf("%s-%d", name, i)
			f(b, prefix)
			b.StopTimer()
			checkBenchKeys(b, s3, prefix, set)
			b.StartTimer()
		}
	})
}

// checkBenchKeys makes sure every object arrived with its size, then
// deletes them from disk so the next contender starts on equal terms.
func checkBenchKeys(b *testing.B, s3 *s3test.Server, prefix string, set benchSet) {
	dir := filepath.Join(s3.Dir, s3.Bucket, prefix)
	for _, it := range set.items {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(it.Path)))
		if err != nil || fi.Size() != it.Size {
			b.Fatalf("%s/%s did not arrive whole: %v", prefix, it.Path, err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
}

// bareLoop is the limit: sign and PUT, nothing else.
func bareLoop(b *testing.B, s3 *s3test.Server, set benchSet, prefix string) {
	bareLoopWith(b, s3, set, prefix, false)
}

// bareMD5Loop is the limit with verification on: each worker reads its
// file once for the digest, then PUTs it with Content-MD5.
func bareMD5Loop(b *testing.B, s3 *s3test.Server, set benchSet, prefix string) {
	bareLoopWith(b, s3, set, prefix, true)
}

func bareLoopWith(b *testing.B, s3 *s3test.Server, set benchSet, prefix string, withMD5 bool) {
	hc := &http.Client{Transport: NewTransport(benchWorkers)}
	defer hc.CloseIdleConnections()
	eachFile(b, set, func(it queue.Item) error {
		u, err := s3.Presign(prefix+"/"+it.Path, 15*time.Minute)
		if err != nil {
			return err
		}
		return putFile(hc, u, filepath.Join(set.dir, it.Path), it.Size, withMD5)
	})
}

// eachFile runs put for every file of set on benchWorkers goroutines, as
// the bare loops do, and fails the benchmark on the first error.
func eachFile(b *testing.B, set benchSet, put func(queue.Item) error) {
	todo := make(chan queue.Item)
	var g errgroup.Group
	for range benchWorkers {
		g.Go(func() error {
			for it := range todo {
				if err := put(it); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, it := range set.items {
		todo <- it
	}
	close(todo)
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

// putFile PUTs the file at local to a signed URL; withMD5 reads it once
// first for its Content-MD5.
func putFile(hc *http.Client, signed, local string, size int64, withMD5 bool) error {
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequest(http.MethodPut, signed, f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	if withMD5 {
		h := md5.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(h.Sum(nil)))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s", local, resp.Status)
	}
	return nil
}

// localSigner presigns for the S3 server directly, as the bare loop does.
type localSigner struct {
	s3     *s3test.Server
	prefix string
}

func (s localSigner) SignUpload(_ context.Context, rel string) (odailies.SignedURL, error) {
	u, err := s.s3.Presign(s.prefix+"/"+rel, 15*time.Minute)
	return odailies.SignedURL{URL: u, ExpiresAt: time.Now().Add(15 * time.Minute)}, err
}

// doneCounter closes all once every expected job is Done, and fails the
// benchmark on any other outcome.
type doneCounter struct {
	Jobs
	left  atomic.Int64
	all   chan struct{}
	bad   atomic.Pointer[string]
	spent atomic.Int64
}

func (d *doneCounter) Done(j queue.Job, dv queue.Delivery) error {
	t0 := time.Now()
	err := d.Jobs.Done(j, dv)
	d.spent.Add(int64(time.Since(t0)))
	if d.left.Add(-1) == 0 {
		close(d.all)
	}
	return err
}

func (d *doneCounter) Retry(j queue.Job, at time.Time, reason string) error {
	d.bad.Store(&reason)
	return d.Jobs.Retry(j, at, reason)
}

func uploaderRun(b *testing.B, s3 *s3test.Server, set benchSet, prefix string) {
	uploaderVia(b, localSigner{s3, prefix}, nil, set)
}

// rcloneCopy runs Debian's rclone with an S3 remote from the environment.
func rcloneCopy(b *testing.B, s3 *s3test.Server, set benchSet, prefix string) {
	conf := filepath.Join(b.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("rclone", "copy", "--transfers", fmt.Sprint(benchWorkers), set.dir, "bench:"+s3.Bucket+"/"+prefix)
	cmd.Env = append(benchEnv(),
		"RCLONE_CONFIG="+conf,
		"RCLONE_CONFIG_BENCH_TYPE=s3",
		"RCLONE_CONFIG_BENCH_PROVIDER=Other",
		"RCLONE_CONFIG_BENCH_ACCESS_KEY_ID="+s3.AccessKey,
		"RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY="+s3.SecretKey,
		"RCLONE_CONFIG_BENCH_ENDPOINT="+s3.Endpoint,
		"RCLONE_CONFIG_BENCH_REGION=us-east-1",
		"RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("rclone: %v\n%s", err, out)
	}
}

// benchEnv is the environment for child tools: without AWS_CA_BUNDLE
// (rclone refuses to start with it on some hosts) and without proxies.
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// curlLoop runs curl per file, four at a time, on URLs signed beforehand.
func curlLoop(b *testing.B, s3 *s3test.Server, set benchSet, prefix string) {
	b.StopTimer()
	var list strings.Builder
	for _, it := range set.items {
		u, err := s3.Presign(prefix+"/"+it.Path, 15*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&list, "%s %s\n", filepath.Join(set.dir, it.Path), u)
	}
	cmd := exec.Command("xargs", "-P", fmt.Sprint(benchWorkers), "-L", "1",
		"curl", "-sS", "-f", "-o", "/dev/null", "-T")
	cmd.Env = benchEnv()
	cmd.Stdin = strings.NewReader(list.String())
	b.StartTimer()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("curl: %v\n%s", err, out)
	}
}
