package queue

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// mappedRSS is the RSS, in bytes, of this process's maps of path
// (/proc/self/smaps).
func mappedRSS(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rss int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[5] == path
		case in && fields[0] == "Rss:":
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			rss += kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rss
}

// TestMappedPagesDropped: the pages bbolt reads through its map do not
// stay counted in the RSS. Open's load reads every page of a file of
// 20,000 jobs (several MiB), and a pass of Done over all of them reads
// every leaf again; after each, the map holds a small part of the file,
// and every record still reads back as written.
func TestMappedPagesDropped(t *testing.T) {
	path := dbPath(t)
	q := open(t, path, Options{})
	const n = 20_000
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Path: fmt.Sprintf("_graded/day%02d/clip_%06d.mov", i%30, i), Size: int64(i + 1), ModTime: t0}
	}
	for i := 0; i < n; i += 1000 {
		enqueue(t, q, items[i:i+1000]...)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < 2*dropMinSize {
		t.Fatalf("the file is %d bytes: too small to show the drop", fi.Size())
	}

	q = open(t, path, Options{})
	if rss := mappedRSS(t, path); rss > fi.Size()/8 {
		t.Fatalf("after Open, %d bytes of the %d-byte file are mapped", rss, fi.Size())
	}
	var wg sync.WaitGroup // workers, so that commits carry several Done
	for range 8 {
		wg.Go(func() {
			for {
				j, ok := leaseNow(t, q, LeaseOptions{})
				if !ok {
					return
				}
				if err := q.Done(j, Delivery{Verified: VerifiedNone}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	time.Sleep(dropEvery) // the last commit's drop may have been skipped as too soon
	enqueue(t, q, Item{Path: "_graded/last.mov", Size: 1, ModTime: t0})
	if err := q.Done(mustLease(t, q), Delivery{Verified: VerifiedNone}); err != nil {
		t.Fatal(err)
	}
	fi, err = os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if rss := mappedRSS(t, path); rss > fi.Size()/8 {
		t.Fatalf("after %d Done, %d bytes of the %d-byte file are mapped", n, rss, fi.Size())
	}
	if c := q.Counts(); c.Done != n+1 || c.Queued != 0 {
		t.Fatalf("counts %+v, want %d done", c, n+1)
	}
	recs := diskRecords(t, q)
	if len(recs) != n+1 {
		t.Fatalf("%d records on disk, want %d", len(recs), n+1)
	}
	for _, it := range items {
		r, ok := recs[it.Path]
		if !ok || r.State != Done || r.Size != it.Size || !r.ModTime.Equal(it.ModTime) {
			t.Fatalf("record of %s: %+v (found %v)", it.Path, r, ok)
		}
	}
}
