package watcher

import (
	"context"
	"errors"
	"testing"
	"time"
)

// slowClose is an event source whose Close waits for release, as closing an
// inotify instance waits in the kernel for its marks to go.
type slowClose struct {
	*fakeSource
	closing chan struct{} // closed when Close starts
	release chan struct{}
}

func (s *slowClose) Close() error {
	close(s.closing)
	<-s.release
	return s.fakeSource.Close()
}

func TestRunDoesNotWaitForTheSourceToClose(t *testing.T) {
	root := mkTree(t)
	w, err := New(root, Options{Dirs: []string{"_graded", "_thumbnails"}, Rescan: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var made []*slowClose
	w.newSource = func() (eventSource, error) {
		f, err := newFakeSource(nil)
		if err != nil {
			return nil, err
		}
		s := &slowClose{fakeSource: f, closing: make(chan struct{}), release: make(chan struct{})}
		made = append(made, s) // Run's goroutine; read after Run returns
		return s, nil
	}
	run := func() (context.CancelFunc, chan error, *collector) {
		c := newCollector()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx, c) }()
		return cancel, done, c
	}
	cancel, done, c := run()
	waitFor(t, c, "first scan", func() bool { return c.scanCount() >= 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run waited for its source's Close")
	}
	first := made[0]
	<-first.closing // closed after Run, by the goroutine it left

	cancel2, done2, c2 := run()
	defer func() { cancel2(); <-done2 }()
	time.Sleep(50 * time.Millisecond)
	if n := c2.scanCount(); n != 0 {
		t.Fatalf("the next Run scanned (%d) while the last one's source was still closing", n)
	}
	close(first.release)
	waitFor(t, c2, "the next Run's scan, once the source is closed", func() bool { return c2.scanCount() >= 1 })
	close(made[1].release)
}
