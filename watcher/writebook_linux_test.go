package watcher

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestInotifyHoldsFileOpenPastSettleUntilClosed is the packaged service's
// case: a render that the /proc walk cannot see (another user's process,
// here an empty proc folder) writes, pauses longer than settle with the file
// open, writes again, and closes. With the inotify bookkeeping the file is
// emitted once, at its final size, only after the close; without it (the
// control case) the first half is emitted while the render still runs.
func TestInotifyHoldsFileOpenPastSettleUntilClosed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		withBook bool
	}{
		{"inotify bookkeeping", true},
		{"control: /proc only", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := mkTree(t)
			name := filepath.Join(root, "_graded", "render.mov")
			emptyProc := t.TempDir()
			var b *book
			c := newCollector()
			w, tick := driven(t, root, Options{Settle: time.Second, Logger: testLogger(t)}, c, func(w *Watcher) {
				w.writers = func(root string, cands []candidate) []bool { return procWriters(emptyProc, root, cands) }
				w.newBook = func() (*book, error) {
					if !tc.withBook {
						return nil, nil
					}
					nb, err := newBook()
					b = nb // written by Run's goroutine before it takes the first tick
					return nb, err
				}
			})
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			chunk := make([]byte, 1<<20)
			write := func() {
				t.Helper()
				if _, err := f.Write(chunk); err != nil {
					t.Fatal(err)
				}
			}
			write()
			waitFor(t, c, "file seen", func() bool { return w.Status().Pending == 1 })
			emittedAfter := func(ticks int) {
				for i := 0; i < ticks; i++ {
					if n, _ := c.count("_graded/render.mov"); n > 0 {
						return
					}
					tick(2 * time.Second) // a re-stat may first see a write the events had not shown yet
				}
			}
			if !tc.withBook {
				emittedAfter(5)
				if n, got := c.count("_graded/render.mov"); n != 1 || got.Size != 1<<20 {
					t.Fatalf("control: emitted %d times, last %+v; want the partial file, which is the defect", n, got)
				}
				return
			}
			waitFor(t, c, "write in the book", func() bool { return b.writingAt(name) })
			if got := w.Status().WriterCheck; got != "inotify + /proc" {
				t.Errorf("WriterCheck %q", got)
			}
			for range 3 { // pauses longer than settle, file open
				tick(2 * time.Second)
			}
			write()
			for range 3 {
				tick(2 * time.Second)
			}
			if n, _ := c.count("_graded/render.mov"); n != 0 || w.Status().Pending != 1 {
				t.Fatalf("emitted %d times while the writer held it open", n)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, "close in the book", func() bool { return !b.writingAt(name) })
			emittedAfter(5)
			tick(2 * time.Second)
			if n, got := c.count("_graded/render.mov"); n != 1 || got.Size != 2<<20 {
				t.Fatalf("emitted %d times, last %+v; want once at 2 MiB after the close", n, got)
			}
		})
	}
}

// inEvent encodes one inotify event as the kernel does: a native-endian
// header and the name NUL-padded to a multiple of 16 bytes.
func inEvent(wd int32, mask, cookie uint32, name string) []byte {
	n := 0
	if name != "" {
		n = (len(name)/16 + 1) * 16
	}
	ev := make([]byte, unix.SizeofInotifyEvent+n)
	binary.NativeEndian.PutUint32(ev[0:], uint32(wd))
	binary.NativeEndian.PutUint32(ev[4:], mask)
	binary.NativeEndian.PutUint32(ev[8:], cookie)
	binary.NativeEndian.PutUint32(ev[12:], uint32(n))
	copy(ev[unix.SizeofInotifyEvent:], name)
	return ev
}

// overflowEvent is what the kernel queues when its event queue is full.
func overflowEvent() []byte { return inEvent(-1, unix.IN_Q_OVERFLOW, 0, "") }

// TestBookApply feeds event batches to a book's state, without a kernel, as
// one read returns them.
func TestBookApply(t *testing.T) {
	b := emptyBook()
	b.wds["/r/a"], b.dirs[1] = 1, "/r/a"
	b.wds["/r/b"], b.dirs[2] = 2, "/r/b"
	batch := func(evs ...[]byte) { b.apply(bytes.Join(evs, nil)) }
	expect := func(when string, want map[string]bool) {
		t.Helper()
		for p, w := range want {
			if got := b.writingAt(p); got != w {
				t.Errorf("%s: writingAt(%s) = %v, want %v", when, p, got, w)
			}
		}
	}
	batch(inEvent(1, unix.IN_MODIFY, 0, "x.mov"), inEvent(1, unix.IN_MODIFY, 0, "x.mov"),
		inEvent(1, unix.IN_MODIFY, 0, "a-very-long-name-over-sixteen.mov"), inEvent(2, unix.IN_MODIFY, 0, "y.mov"),
		inEvent(9, unix.IN_MODIFY, 0, "stale.mov"), inEvent(1, unix.IN_MODIFY|unix.IN_ISDIR, 0, "sub"))
	expect("written", map[string]bool{"/r/a/x.mov": true, "/r/a/a-very-long-name-over-sixteen.mov": true,
		"/r/b/y.mov": true, "/r/a/sub": false, "/r/a/y.mov": false})
	batch(inEvent(1, unix.IN_MOVED_FROM, 7, "x.mov"), inEvent(2, unix.IN_MOVED_TO, 7, "x2.mov"),
		inEvent(2, unix.IN_CLOSE_WRITE, 0, "y.mov"), inEvent(1, unix.IN_DELETE, 0, "a-very-long-name-over-sixteen.mov"))
	expect("moved, closed, deleted", map[string]bool{"/r/a/x.mov": false, "/r/b/x2.mov": true, "/r/b/y.mov": false,
		"/r/a/a-very-long-name-over-sixteen.mov": false})
	batch(inEvent(1, unix.IN_MODIFY, 0, "z.mov"), overflowEvent(), inEvent(1, unix.IN_MODIFY, 0, "after.mov"))
	expect("overflow", map[string]bool{"/r/b/x2.mov": false, "/r/a/z.mov": false, "/r/a/after.mov": true})
	select {
	case <-b.lostC():
	default:
		t.Error("overflow not signalled")
	}
	batch(inEvent(1, unix.IN_IGNORED, 0, ""))
	expect("folder gone", map[string]bool{"/r/a/after.mov": false})
	if _, ok := b.wds["/r/a"]; ok || len(b.writing) != 0 {
		t.Errorf("a folder's state kept after IN_IGNORED: %v %v", b.wds, b.writing)
	}
}

// TestBookFollowsWritesClosesAndRenames drives a real book through what a
// renderer does: write, rename into another folder while open, close; and a
// folder that stops being watched.
func TestBookFollowsWritesClosesAndRenames(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "day2")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := newBook()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	for _, d := range []string{dir, sub} {
		if err := b.add(d); err != nil {
			t.Fatal(err)
		}
	}
	at := func(n string) string { return filepath.Join(dir, n) }
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.NewTimer(10 * time.Second)
		defer deadline.Stop()
		poll := time.NewTicker(2 * time.Millisecond) // the book's reader is another goroutine
		defer poll.Stop()
		for !cond() {
			select {
			case <-poll.C:
			case <-deadline.C:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	open := func(n string) *os.File {
		f, err := os.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("frame")); err != nil {
			t.Fatal(err)
		}
		return f
	}

	a := open(at("a.tmp"))
	until("a.tmp written", func() bool { return b.writingAt(at("a.tmp")) })
	if err := os.Rename(at("a.tmp"), filepath.Join(sub, "a.mov")); err != nil {
		t.Fatal(err)
	}
	until("rename carried over", func() bool { return b.writingAt(filepath.Join(sub, "a.mov")) })
	if b.writingAt(at("a.tmp")) {
		t.Error("old name still marked after the rename")
	}
	_ = a.Close()
	until("a.mov closed", func() bool { return !b.writingAt(filepath.Join(sub, "a.mov")) })

	c := open(at("c.mov"))
	defer c.Close()
	until("c.mov written", func() bool { return b.writingAt(at("c.mov")) })
	b.remove(dir)
	if b.writingAt(at("c.mov")) {
		t.Error("marks kept for a folder no longer watched")
	}
	if b.err() != nil {
		t.Errorf("book failed: %v", b.err())
	}
}

// TestBookOverflowRescans injects an overflow into a running watcher's book
// and expects the warning and a rescan.
func TestBookOverflowRescans(t *testing.T) {
	root := mkTree(t)
	rec := &logRecorder{}
	var b *book
	w, c := start(t, root, Options{Dirs: []string{"_graded"}, Rescan: time.Hour, Logger: slog.New(rec)}, func(w *Watcher) {
		w.newBook = func() (*book, error) { nb, err := newBook(); b = nb; return nb, err }
	})
	waitFor(t, c, "first scan", func() bool { return c.scanCount() == 1 })
	b.apply(overflowEvent())
	waitFor(t, c, "rescan", func() bool { return c.scanCount() == 2 })
	if n := len(rec.find(slog.LevelWarn, "open-writer events overflowed; rescanning")); n != 1 {
		t.Errorf("%d overflow warnings, want 1", n)
	}
	if got := w.Status().WriterCheck; got != "inotify + /proc" {
		t.Errorf("WriterCheck %q after an overflow; the book goes on", got)
	}
}
