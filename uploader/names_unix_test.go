//go:build !windows

package uploader

import (
	"strings"
	"testing"
	"time"
)

// TestBackslashInName: on Linux and macOS a backslash is part of a file
// name, and such a name cannot be sent; the job fails saying so and what
// to do, without signing or sending anything.
func TestBackslashInName(t *testing.T) {
	st := newStorage(t, nil)
	signer := signFor(st, time.Hour)
	e := newEnv(t, st, signer)
	const rel = `_graded/A001\C002.mov`
	e.enqueue(e.file(rel, pattern(10)))
	_, r := e.run(Options{})
	ev := e.next(rel)
	if err := r.Stop(); err != nil { // every outcome logged
		t.Fatal(err)
	}
	want := `refusing job path "_graded/A001\C002.mov": a backslash in a file name cannot be sent ` +
		"as a path segment on every platform: rename the file"
	if ev.kind != "fail" || ev.reason != want {
		t.Errorf("got %s %q,\nwant fail %q", ev.kind, ev.reason, want)
	}
	if n, s := st.puts.Load(), signer.calls.Load(); n != 0 || s != 0 {
		t.Errorf("%d PUTs, %d sign requests", n, s)
	}
	if want := "fix=\"" + hintBackslash + "\""; !strings.Contains(e.logs.String(), want) {
		t.Errorf("log does not offer %s:\n%s", want, e.logs)
	}
}
