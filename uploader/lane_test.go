package uploader

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func isClip(p string) bool { return strings.Contains(p, "/_graded/") }

// TestThumbnailsNotStarved: with every worker carrying a clip, thumbnails
// are still sent, whatever the sizes: clips smaller than the thumbnails
// (a size rule would have let them fill the pool) and clips far larger.
func TestThumbnailsNotStarved(t *testing.T) {
	tests := []struct {
		workers   int
		clip, jpg int64
	}{
		{1, 2 << 20, 5 << 20},
		{2, 2 << 20, 5 << 20},
		{3, 4 << 30, 20_000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d workers, clips of %d, thumbnails of %d", tc.workers, tc.clip, tc.jpg), func(t *testing.T) {
			b, st := blockedStorage(t, isClip)
			e := newEnv(t, st, signFor(st, time.Hour))
			var clips []string
			for i := range tc.workers + 1 {
				clips = append(clips, fmt.Sprintf("_graded/c%d.mov", i))
				e.enqueue(e.sparse(clips[i], tc.clip))
			}
			o := Options{Workers: tc.workers, FirstClass: "_thumbnails"}
			if tc.clip > 1<<30 {
				// Reading 4 GiB clips for their digests would take the
				// test's time; the lane is what is tested here.
				o.Verify = VerifyNone
			}
			u, _ := e.run(o)
			var started []string
			for range tc.workers {
				started = append(started, strings.TrimPrefix(b.waitStarted(t), "/"))
			}
			for i := range 3 {
				e.enqueue(e.sparse(fmt.Sprintf("_thumbnails/t%d.jpg", i), tc.jpg))
			}
			for i := range 3 {
				if ev := e.next(fmt.Sprintf("_thumbnails/t%d.jpg", i)); ev.kind != "done" {
					t.Fatalf("thumbnail %d: %s %q", i, ev.kind, ev.reason)
				}
			}
			var active []string
			for _, a := range u.Snapshot().Active {
				active = append(active, a.Path)
			}
			slices.Sort(active)
			slices.Sort(started)
			if !slices.Equal(active, started) {
				t.Errorf("active %v after the thumbnails, want the clips still going %v", active, started)
			}
			if n := st.puts.Load(); n != int64(tc.workers+3) {
				t.Errorf("%d PUTs before a clip finished, want %d (the clips started, the thumbnails)", n, tc.workers+3)
			}
			if tc.clip > 1<<30 {
				return // not sent whole: the stop cuts them
			}
			b.open()
			for _, c := range clips {
				e.until(c, "done")
			}
		})
	}
}

// TestClipsGetEveryWorker: with no thumbnail queued, clips take every
// worker; the lane adds nothing and takes nothing from them.
func TestClipsGetEveryWorker(t *testing.T) {
	b, st := blockedStorage(t, isClip)
	e := newEnv(t, st, signFor(st, time.Hour))
	for i := range 4 {
		e.enqueue(e.sparse(fmt.Sprintf("_graded/c%d.mov", i), 2<<20))
	}
	e.run(Options{Workers: 3, FirstClass: "_thumbnails"})
	for range 3 {
		b.waitStarted(t)
	}
	b.open()
	for i := range 4 {
		e.until(fmt.Sprintf("_graded/c%d.mov", i), "done")
	}
}

// TestLaneOnlyWhileWorkersCarryClips: a worker that carries a thumbnail
// (or none) takes the next thumbnail itself, so the lane adds no PUT:
// at most Workers PUTs run unless every worker carries another class.
func TestLaneOnlyWhileWorkersCarryClips(t *testing.T) {
	b, st := blockedStorage(t, func(p string) bool { return true })
	e := newEnv(t, st, signFor(st, time.Hour))
	e.enqueue(e.sparse("_graded/c.mov", 2<<20))
	for i := range 3 {
		e.enqueue(e.sparse(fmt.Sprintf("_thumbnails/t%d.jpg", i), 2<<20))
	}
	e.run(Options{Workers: 2, FirstClass: "_thumbnails"})
	first := []string{b.waitStarted(t), b.waitStarted(t)}
	slices.Sort(first)
	if want := []string{"/_thumbnails/t0.jpg", "/_thumbnails/t1.jpg"}; !slices.Equal(first, want) {
		t.Errorf("first PUTs %v, want %v (thumbnails first)", first, want)
	}
	// A wrong lane shows itself as a third PUT within moments.
	select {
	case p := <-b.started:
		t.Errorf("a third PUT (%s) started while no worker carried a clip", p)
	case <-time.After(300 * time.Millisecond):
	}
	b.open()
	e.until("_graded/c.mov", "done")
	for i := range 3 {
		e.until(fmt.Sprintf("_thumbnails/t%d.jpg", i), "done")
	}
}
