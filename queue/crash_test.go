package queue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The crash test runs this test binary again as a child that works the
// queue until it is killed with SIGKILL at a random moment, then checks the
// file the child left behind.
const (
	crashDirEnv = "QUEUE_CRASH_DIR"
	crashRunEnv = "QUEUE_CRASH_RUN"
	crashRuns   = 50
)

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	for run := range crashRuns {
		crashOnce(t, dir, run)
		checkAfterCrash(t, dir)
		if t.Failed() {
			t.Fatalf("invariants broken after run %d", run)
		}
	}
}

// crashOnce starts a child, waits until it works, and kills it.
func crashOnce(t *testing.T, dir string, run int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRunEnv+"="+strconv.Itoa(run))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		_ = cmd.Wait()
		t.Fatalf("child did not start: %q %s", line, stderr.String())
	}
	<-time.After(rand.N(80*time.Millisecond) + time.Millisecond) // a random moment of work
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended by itself (%v): %s", err, stderr.String())
	}
}

// checkAfterCrash reopens the file and checks: no lease left, counts equal
// a recount, every logged enqueue has a record, every logged Done is done
// on disk and was logged once.
func checkAfterCrash(t *testing.T, dir string) {
	t.Helper()
	q, err := Open(filepath.Join(dir, "queue.db"), Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() { _ = q.Close() }()
	c := q.Counts()
	if c.Active != 0 {
		t.Errorf("%d leases left after open", c.Active)
	}
	t.Logf("after the crash: %+v", c)
	checkCounts(t, q)
	recs := diskRecords(t, q)
	for _, p := range logLines(t, filepath.Join(dir, "enqueued.log")) {
		if s := recs[p].State; s != Queued && s != Done && s != Failed {
			t.Errorf("enqueued %s lost: state %d", p, s)
		}
	}
	checkCrashDisk(t, q, recs)
	seen := make(map[string]bool)
	for _, p := range logLines(t, filepath.Join(dir, "done.log")) {
		if seen[p] {
			t.Errorf("%s done twice", p)
		}
		seen[p] = true
		if s := recs[p].State; s != Done {
			t.Errorf("%s logged done, state %d on disk", p, s)
		}
	}
}

// checkCrashDisk: each record has the disk spelling it was enqueued with,
// and a file holding a record of format 2 or 3 is at least at that schema
// version (raised in the same transaction).
func checkCrashDisk(t *testing.T, q *Queue, recs map[string]record) {
	t.Helper()
	need := baseVersion
	for p, r := range recs {
		if r.disk() != "" && r.disk() != p+crashDisk {
			t.Errorf("%s: Disk %q", p, r.disk())
		}
		need = max(need, recordVersion(encodeRecord(&r)))
	}
	var v uint32
	if err := q.db.View(func(tx *bolt.Tx) (err error) { v, err = storedVersion(tx.Bucket(bucketMeta)); return err }); err != nil {
		t.Fatal(err)
	}
	if v < need || v > schemaVersion {
		t.Errorf("records of format %d in a file of schema version %d", need, v)
	}
}

// logLines returns the complete lines of a log; a line cut by the kill
// is ignored.
func logLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	return lines[:len(lines)-1]
}

// TestCrashChild is the child process of TestCrash.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestCrash")
	}
	run, _ := strconv.Atoi(os.Getenv(crashRunEnv))
	q, err := Open(filepath.Join(dir, "queue.db"), Options{Timeout: 5 * time.Second, Priority: []string{"t"}})
	if err != nil {
		t.Fatal(err)
	}
	enq, done := appendLog(t, dir, "enqueued.log"), appendLog(t, dir, "done.log")
	fmt.Println("ready")
	for range 4 {
		go crashWorker(t, q, done)
	}
	go crashScanner(t, q, done)
	for n := 0; ; n += 10 {
		var items []Item
		for k := n; k < n+10; k++ {
			it := Item{Path: fmt.Sprintf("%s/%d-%d", []string{"t", "g"}[k%2], run, k), Size: int64(k), ModTime: t0}
			if k%3 == 0 {
				it.Disk = it.Path + crashDisk
			}
			items = append(items, it)
		}
		if _, err := q.Enqueue(items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			enq.write(it.Path)
		}
	}
}

// crashDisk marks the disk spelling of every third item in the crash test.
const crashDisk = "~disk"

// crashScanner prunes like the scans of a volume that comes and goes: every
// other round it misses the files whose Done returned (their records are
// marked missing; KeepMissing is far off), and the rounds between find
// everything again (the marks are cleared). Nothing else is missed, so no
// enqueued record is dropped.
func crashScanner(t *testing.T, q *Queue, done *syncLog) {
	for round := 0; ; round++ {
		away := round%2 == 0
		_, err := q.Prune(func(p string) bool { return !away || !done.has(p) }, []string{"t/", "g/"})
		if err != nil {
			t.Error(err)
			return
		}
		<-time.After(time.Millisecond)
	}
}

// crashWorker leases and settles jobs: mostly Done, some Retry, Fail and
// Release, logging each Done after it returned.
func crashWorker(t *testing.T, q *Queue, done *syncLog) {
	for {
		j, err := q.Lease(context.Background(), LeaseOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		switch r := rand.IntN(20); {
		case r == 0:
			err = q.Fail(j, "permanent")
		case r < 3:
			err = q.Retry(j, time.Time{}, "transient")
		case r == 3:
			err = q.Release(j)
		default:
			if err = q.Done(j, testDelivery); err == nil {
				done.write(j.Path)
			}
		}
		if err != nil {
			t.Error(err)
			return
		}
	}
}

// syncLog appends lines and fsyncs each, and remembers them.
type syncLog struct {
	mu    sync.Mutex
	f     *os.File
	t     *testing.T
	lines map[string]bool
}

func appendLog(t *testing.T, dir, name string) *syncLog {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return &syncLog{f: f, t: t, lines: make(map[string]bool)}
}

// has reports whether line was written.
func (l *syncLog) has(line string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines[line]
}

func (l *syncLog) write(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.WriteString(line + "\n"); err != nil {
		l.t.Error(err)
	}
	if err := l.f.Sync(); err != nil {
		l.t.Error(err)
	}
	l.lines[line] = true
}
