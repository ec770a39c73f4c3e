package queue

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run: go test -run '^$' -bench . -benchtime 1x ./queue/

func benchItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Path: fmt.Sprintf("_graded/day%02d/clip_%06d.mov", i%30, i), Size: int64(i + 1), ModTime: t0}
	}
	return items
}

// BenchmarkEnqueue100k: 100,000 new jobs in batches of 1,000 (budget 2 s).
func BenchmarkEnqueue100k(b *testing.B) {
	items := benchItems(100_000)
	var path string
	for b.Loop() {
		b.StopTimer()
		path = dbPath(b)
		q := open(b, path, Options{})
		b.StartTimer()
		for i := 0; i < len(items); i += 1000 {
			if n := enqueue(b, q, items[i:i+1000]...); n != 1000 {
				b.Fatalf("added %d", n)
			}
		}
	}
	reportSize(b, path)
}

func reportSize(b *testing.B, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
}

// BenchmarkLeaseDone4Workers: lease + Done with 4 concurrent workers.
func BenchmarkLeaseDone4Workers(b *testing.B) {
	const jobs = 10_000
	items := benchItems(jobs)
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		q := open(b, dbPath(b), Options{})
		enqueue(b, q, items...)
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { leaseDone(b, q, jobs/4) })
		}
		wg.Wait()
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(b.N*jobs)/elapsed.Seconds(), "jobs/s")
}

func leaseDone(b *testing.B, q *Queue, n int) {
	for range n {
		j, err := q.Lease(context.Background(), LeaseOptions{})
		if err == nil {
			err = q.Done(j, testDelivery)
		}
		if err != nil {
			b.Error(err)
			return
		}
	}
}

// BenchmarkOpen100kDone: Open of a file holding 100,000 done jobs.
func BenchmarkOpen100kDone(b *testing.B) {
	path := dbPath(b)
	seedDone(b, path, benchItems(100_000))
	for b.Loop() {
		q, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if c := q.Counts(); c.Done != 100_000 {
			b.Fatalf("counts %+v", c)
		}
		_ = q.Close()
	}
	reportSize(b, path)
}

// BenchmarkRestart20kDone: the restart case: Open over 20,000 done jobs
// and the rescan enqueueing all of them again, in batches of 1,000.
func BenchmarkRestart20kDone(b *testing.B) {
	path := dbPath(b)
	items := benchItems(20_000)
	seedDone(b, path, items)
	for b.Loop() {
		q, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(items); i += 1000 {
			if n := enqueue(b, q, items[i:i+1000]...); n != 0 {
				b.Fatalf("re-enqueue added %d", n)
			}
		}
		_ = q.Close()
	}
}

// seedDone writes done records for items straight into a new file.
func seedDone(b testing.TB, path string, items []Item) {
	q := open(b, path, Options{})
	if err := q.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	err = db.Update(func(tx *bolt.Tx) error {
		tx.Bucket(bucketJobs).FillPercent = jobsFillPercent
		for i, it := range items {
			e := &entry{id: uint64(i + 1), record: record{Path: it.Path, Size: it.Size, ModTime: it.ModTime, State: Done, At: t0}}
			for _, m := range []mutation{putJob(e), putPath(e)} {
				if err := applyOne(tx, m); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketJobs).SetSequence(uint64(len(items)))
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPrune100kDone: the Prune after a full scan over 100,000 done
// jobs, with every file present (the usual rescan) and with none present
// (a watched volume unplugged).
func BenchmarkPrune100kDone(b *testing.B) {
	items := benchItems(100_000)
	for _, tc := range []struct {
		name    string
		present bool
	}{{"present", true}, {"missing", false}} {
		b.Run(tc.name, func(b *testing.B) {
			path := dbPath(b)
			seedDone(b, path, items)
			for b.Loop() {
				b.StopTimer()
				q, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := q.Prune(func(string) bool { return tc.present }, []string{"_graded/"}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = q.Close()
				seedDone(b, path, items) // the same file for the next round
				b.StartTimer()
			}
		})
	}
}

// BenchmarkUpcoming: the hasher's and the signer's look ahead (5 jobs)
// over 20,000 queued, as each lease calls it.
func BenchmarkUpcoming(b *testing.B) {
	q := open(b, dbPath(b), Options{})
	enqueue(b, q, benchItems(20_000)...)
	b.ReportAllocs()
	for b.Loop() {
		if got := q.Upcoming(5); len(got) != 5 {
			b.Fatalf("%d upcoming", len(got))
		}
	}
}
