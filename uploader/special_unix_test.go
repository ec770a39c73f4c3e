//go:build unix

package uploader

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/odailies/odailies-uploader/queue"
)

// specials put something other than a regular file at p, or skip.
var specials = []struct {
	name, kind string
	make       func(t *testing.T, p string)
}{
	{"named pipe", "a named pipe", func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{"directory", "a directory", func(t *testing.T, p string) {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}},
	{"symlink", "a symbolic link", func(t *testing.T, p string) {
		target := filepath.Join(t.TempDir(), "target.mov")
		if err := os.WriteFile(target, pattern(10), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}},
	{"socket", "a socket", func(t *testing.T, p string) {
		l, err := net.Listen("unix", p)
		if err != nil {
			t.Skipf("no unix socket at %s: %v", p, err) // path too long on some systems
		}
		t.Cleanup(func() { l.Close() })
	}},
}

// TestNotRegularFileFails: a queued file replaced by a named pipe (no
// writer: a plain open would block forever), a directory, a symlink or a
// socket fails its job at once, naming what the path holds, with no PUT;
// and the pool still stops on cancel.
func TestNotRegularFileFails(t *testing.T) {
	const rel = "_graded/a.mov"
	for _, sp := range specials {
		t.Run(sp.name, func(t *testing.T) {
			st := newStorage(t, nil)
			e := newEnv(t, st, signFor(st, time.Hour))
			e.enqueue(e.file(rel, pattern(10)))
			local := filepath.Join(e.root, rel)
			if err := os.Remove(local); err != nil {
				t.Fatal(err)
			}
			sp.make(t, local)
			_, r := e.run(Options{StopGrace: stopGrace})
			ev := e.next(rel)
			if want := "not a regular file: " + sp.kind; ev.kind != "fail" || ev.reason != want {
				t.Errorf("got %s %q, want fail %q", ev.kind, ev.reason, want)
			}
			if n := st.puts.Load(); n != 0 {
				t.Errorf("%d PUTs", n)
			}
			if err := r.StopWithin(stopGrace + stopSlack); err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
}

// TestOpenRegularNeverBlocks: openRegular, which runs after the lstat
// (the path may be swapped in between), refuses every kind of special
// file without blocking, and hands back regular files in blocking mode.
func TestOpenRegularNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	for _, sp := range specials {
		t.Run(sp.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(sp.name, " ", "-"))
			sp.make(t, p)
			f, err := openWithin(t, p)
			if err == nil {
				f.Close()
				t.Fatalf("opened %s", sp.name)
			}
			var nr *notRegularError
			isNR := errors.As(err, &nr)
			// O_NOFOLLOW and sockets make open itself fail; the pool then
			// names the kind from a second lstat (TestOpenFailedNamesKind).
			byFstat := sp.kind == "a named pipe" || sp.kind == "a directory"
			if (byFstat && !isNR) || (isNR && nr.what != sp.kind) {
				t.Errorf("error %q, want one naming %q", err, sp.kind)
			}
		})
	}
	t.Run("character device", func(t *testing.T) {
		_, err := openWithin(t, os.DevNull)
		if want := "not a regular file: a character device"; err == nil || err.Error() != want {
			t.Errorf("error %v, want %q", err, want)
		}
	})
	t.Run("regular file", func(t *testing.T) {
		p := filepath.Join(dir, "regular.mov")
		if err := os.WriteFile(p, pattern(10), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := openWithin(t, p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if blocking, err := isBlocking(f); err != nil || !blocking {
			t.Errorf("descriptor blocking %v (%v), want blocking", blocking, err)
		}
	})
}

// openWithin runs openRegular, failing the test if it blocks.
func openWithin(t *testing.T, p string) (*os.File, error) {
	t.Helper()
	type result struct {
		f   *os.File
		err error
	}
	c := make(chan result, 1)
	go func() {
		f, err := openRegular(p)
		c <- result{f, err}
	}()
	select {
	case r := <-c:
		return r.f, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("openRegular(%s) blocked", p)
		return nil, nil
	}
}

// isBlocking reports whether f's descriptor is in blocking mode.
func isBlocking(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var flags int
	var ferr error
	err = rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) })
	if err == nil {
		err = ferr
	}
	return flags&syscall.O_NONBLOCK == 0, err
}

// TestOpenFailedNamesKind: when open itself refuses the path, the job's
// reason still names what is there.
func TestOpenFailedNamesKind(t *testing.T) {
	u := New(nil, nil, Options{})
	dir := t.TempDir()
	for _, sp := range specials {
		t.Run(sp.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(sp.name, " ", "-"))
			sp.make(t, p)
			o := u.openFailed(p, queue.Job{}, syscall.ELOOP)
			if want := "not a regular file: " + sp.kind; o.verdict != verdictFail || o.reason != want || o.hint != hintRegular {
				t.Errorf("outcome %+v, want fail %q", o, want)
			}
		})
	}
}
