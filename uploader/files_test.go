package uploader

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFileChecks: the file is compared with its job before the PUT and
// looked at again after it.
func TestFileChecks(t *testing.T) {
	const rel = "_graded/a.mov"
	tests := []struct {
		name string
		// prepare runs after the job is queued, before the uploader starts.
		prepare func(e *env)
		// during runs inside the storage handler, before it reads the body.
		during func(local string) error
		kind   string
		puts   int64
	}{
		{"vanished before", func(e *env) { os.Remove(filepath.Join(e.root, rel)) }, nil, "gone", 0},
		{"changed before", func(e *env) { e.file(rel, pattern(20)) }, nil, "changed", 0},
		{"grew during", nil, func(local string) error {
			f, err := os.OpenFile(local, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.Write([]byte("more"))
			return err
		}, "changed", 1},
		{"touched during", nil, func(local string) error {
			return os.Chtimes(local, time.Now(), time.Now().Add(time.Hour))
		}, "changed", 1},
		{"removed during", nil, os.Remove, "gone", 1},
		{"unchanged", nil, nil, "done", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var local string
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				if tc.during != nil {
					if err := tc.during(local); err != nil {
						t.Errorf("during: %v", err)
					}
				}
				return false
			})
			e := newEnv(t, st, signFor(st, time.Hour))
			local = filepath.Join(e.root, rel)
			e.enqueue(e.file(rel, pattern(10)))
			if tc.prepare != nil {
				tc.prepare(e)
			}
			u, _ := e.run(Options{})
			if ev := e.next(rel); ev.kind != tc.kind {
				t.Errorf("got %s %q, want %s", ev.kind, ev.reason, tc.kind)
			}
			if n := st.puts.Load(); n != tc.puts {
				t.Errorf("%d PUTs, want %d", n, tc.puts)
			}
			if got, want := u.Snapshot().Uploaded, map[bool]int{true: 1}[tc.kind == "done"]; got != want {
				t.Errorf("Uploaded = %d, want %d", got, want)
			}
		})
	}
}

// TestShrunkDuringPut: a file cut short while it is read ends the PUT
// with an error, and the job as changed, not retried.
func TestShrunkDuringPut(t *testing.T) {
	const rel = "_graded/a.mov"
	var local string
	st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
		if err := os.Truncate(local, 1000); err != nil {
			t.Errorf("truncate: %v", err)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		return true
	})
	e := newEnv(t, st, signFor(st, time.Hour))
	local = filepath.Join(e.root, rel)
	e.enqueue(e.file(rel, pattern(4<<20)))
	e.run(Options{})
	if ev := e.next(rel); ev.kind != "changed" {
		t.Errorf("got %s %q, want changed", ev.kind, ev.reason)
	}
}
