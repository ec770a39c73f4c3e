package uploader

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// rssChildEnv, set to a storage URL, turns the test binary into a child
// that sends one 4 GiB sparse file there and prints its peak RSS.
const rssChildEnv = "UPLOADER_RSS_CHILD_STORAGE"

const rssFileSize = 4 << 30

func TestMain(m *testing.M) {
	if target := os.Getenv(rssChildEnv); target != "" {
		os.Exit(rssChild(target))
	}
	os.Exit(m.Run())
}

// fixedSigner sends every file to base + "/" + rel.
type fixedSigner string

func (s fixedSigner) SignUpload(_ context.Context, rel string) (odailies.SignedURL, error) {
	return odailies.SignedURL{URL: string(s) + "/" + rel + "?sig=x", ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func rssChild(target string) int {
	if err := sendSparse(target); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	hwm, err := peakRSS()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	fmt.Printf("peak-rss-kib %d\n", hwm)
	return 0
}

func sendSparse(target string) error {
	dir, err := os.MkdirTemp("", "rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	local := filepath.Join(dir, "_graded", "huge.mov")
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		return err
	}
	f, err := os.Create(local)
	if err != nil {
		return err
	}
	if err := f.Truncate(rssFileSize); err != nil {
		return err
	}
	f.Close()
	fi, err := os.Stat(local)
	if err != nil {
		return err
	}
	q, err := queue.Open(filepath.Join(dir, "queue.db"), queue.Options{})
	if err != nil {
		return err
	}
	defer q.Close()
	jobs := &doneCounter{Jobs: q, all: make(chan struct{})}
	jobs.left.Store(1)
	if _, err := q.Enqueue([]queue.Item{{Path: "_graded/huge.mov", Size: fi.Size(), ModTime: fi.ModTime()}}); err != nil {
		return err
	}
	u := New(fixedSigner(target), jobs, Options{Root: dir, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	select {
	case <-jobs.all:
	case err := <-errc:
		return fmt.Errorf("run ended early: %v", err)
	}
	cancel()
	return <-errc
}

// peakRSS reads VmHWM, the process's peak resident set, in KiB.
func peakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// BenchmarkPeakRSS sends a 4 GiB sparse file through the uploader in a
// child process (this test binary again) to a storage that discards it,
// and reports the child's peak RSS. Budget: under 64 MiB.
func BenchmarkPeakRSS(b *testing.B) {
	var got atomic.Int64
	st := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Add(n)
	}))
	defer st.Close()
	for range b.N {
		got.Store(0)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), rssChildEnv+"="+st.URL)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var kib int64
		if _, err := fmt.Sscanf(string(out), "peak-rss-kib %d", &kib); err != nil {
			b.Fatalf("child said %q: %v", out, err)
		}
		if got.Load() != rssFileSize {
			b.Fatalf("storage got %d bytes, want %d", got.Load(), int64(rssFileSize))
		}
		mib := float64(kib) / 1024
		b.ReportMetric(mib, "peak-RSS-MiB")
		if mib >= 64 {
			b.Errorf("peak RSS %.1f MiB, budget 64 MiB", mib)
		}
	}
}
