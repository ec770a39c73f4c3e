package uploader

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

func TestWorthAheadBoundByURLLife(t *testing.T) {
	const m = time.Minute
	for _, c := range []struct {
		name      string
		pos       int
		gap, life time.Duration
		want      bool
	}{
		{"3-second URLs are never signed ahead", 0, 0, 3 * time.Second, false},
		{"a URL living exactly the minimum is not", 0, 0, m, false},
		{"unknown life (none signed yet) is not", 0, 0, 0, false},
		{"thumbnails, 15-minute URLs: the next", 0, 100 * time.Millisecond, 15 * m, true},
		{"thumbnails, 15-minute URLs: the fifth", 4, 100 * time.Millisecond, 15 * m, true},
		{"clips of 5 minutes apart: the next starts in 5m, 9m left", 0, 5 * m, 15 * m, true},
		{"the second starts in 10m, 4m left", 1, 5 * m, 15 * m, true},
		{"the third starts in 15m: expired by then", 2, 5 * m, 15 * m, false},
		{"the second would start with exactly the minimum left", 1, 7 * m, 15 * m, false},
	} {
		if got := worthAhead(c.pos, c.gap, c.life, m); got != c.want {
			t.Errorf("%s: worthAhead(%d, %s, %s, 1m) = %v, want %v", c.name, c.pos, c.gap, c.life, got, c.want)
		}
	}
}

// gatedStorage holds the PUT of hold until release is closed, and
// records the n query value (which sign made the URL) of each path's PUT.
type gatedStorage struct {
	*storage
	started, release chan struct{}
	mu               sync.Mutex
	signOf           map[string]string
}

func newGatedStorage(t *testing.T, hold string) *gatedStorage {
	g := &gatedStorage{started: make(chan struct{}), release: make(chan struct{}), signOf: map[string]string{}}
	var once sync.Once
	g.storage = newStorage(t, func(w http.ResponseWriter, r *http.Request, _ int64) bool {
		g.mu.Lock()
		g.signOf[r.URL.Path[1:]] = r.URL.Query().Get("n")
		g.mu.Unlock()
		if r.URL.Path == "/"+hold {
			once.Do(func() { close(g.started) })
			<-g.release
		}
		return false
	})
	return g
}

func (g *gatedStorage) sign(rel string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.signOf[rel]
}

// numberedSigner signs URLs of st living life, each carrying n, the
// number of its sign request.
func numberedSigner(st *storage, life time.Duration) *stubSigner {
	return &stubSigner{sign: func(_ context.Context, rel string, n int64) (odailies.SignedURL, error) {
		return odailies.SignedURL{URL: st.urlFor(rel) + "&n=" + itoa(int(n)), ExpiresAt: time.Now().Add(life)}, nil
	}}
}

// plans collects the sign-ahead plans made once a URL's life is known.
func plans(u *Uploader) chan []queue.Item {
	c := make(chan []queue.Item, 64)
	u.ahead.onPlan = func(life time.Duration, claimed []queue.Item) {
		if life > 0 {
			c <- claimed
		}
	}
	return c
}

func nextPlan(t *testing.T, c chan []queue.Item) []queue.Item {
	t.Helper()
	select {
	case p := <-c:
		return p
	case <-time.After(waitLimit):
		t.Fatal("no sign-ahead plan")
		return nil
	}
}

// TestSignAheadByURLLife: while one worker's PUT runs, the next jobs'
// URLs are signed ahead when they live long enough, and used; 3-second
// URLs are not (the worker signs each job itself), and all arrive.
func TestSignAheadByURLLife(t *testing.T) {
	for _, c := range []struct {
		name  string
		life  time.Duration
		ahead int // signed ahead while the first PUT runs
	}{
		{"15-minute URLs", 15 * time.Minute, 2},
		{"3-second URLs", 3 * time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := newGatedStorage(t, "_graded/a.mov")
			signer := numberedSigner(st.storage, c.life)
			e := newEnv(t, st.storage, signer)
			for _, rel := range []string{"_graded/a.mov", "_graded/b.mov", "_graded/c.mov"} {
				e.enqueue(e.file(rel, pattern(1000)))
			}
			u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
			planned := plans(u)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- u.Run(ctx) }()
			defer func() { cancel(); <-errc }()
			<-st.started
			if p := nextPlan(t, planned); len(p) != c.ahead {
				t.Errorf("signed ahead during the first PUT: %v, want %d jobs", p, c.ahead)
			}
			if c.ahead > 0 {
				for signer.calls.Load() < int64(1+c.ahead) {
					nextPlan(t, planned) // each finished sign plans again
				}
			}
			if n := signer.calls.Load(); n != int64(1+c.ahead) {
				t.Errorf("%d sign requests while the first PUT ran, want %d", n, 1+c.ahead)
			}
			close(st.release)
			for _, rel := range []string{"_graded/a.mov", "_graded/b.mov", "_graded/c.mov"} {
				if ev := e.next(rel); ev.kind != "done" {
					t.Fatalf("%s: %s (%s), want done", rel, ev.kind, ev.reason)
				}
			}
			if n := signer.calls.Load(); n != 3 {
				t.Errorf("%d sign requests for 3 files, want 3 (none signed twice)", n)
			}
			if got := u.ahead.used.Load(); got != int64(c.ahead) {
				t.Errorf("%d URLs signed ahead were used, want %d", got, c.ahead)
			}
			b, c3 := st.sign("_graded/b.mov"), st.sign("_graded/c.mov")
			if c.ahead > 0 && (b == c3 || b != "2" && b != "3" || c3 != "2" && c3 != "3") {
				t.Errorf("b and c were PUT with signs %q and %q, want the two made ahead (2 and 3)", b, c3)
			}
		})
	}
}

// TestSignAheadDropsURLOfChangedJob: a URL signed ahead for a job whose
// file then changes (a new version queued) is dropped, not used for the
// new version, which is signed again and arrives as it is now.
func TestSignAheadDropsURLOfChangedJob(t *testing.T) {
	st := newGatedStorage(t, "_graded/a.mov")
	signer := numberedSigner(st.storage, 15*time.Minute)
	e := newEnv(t, st.storage, signer)
	e.enqueue(e.file("_graded/a.mov", pattern(1000)))
	e.enqueue(e.file("_graded/b.mov", pattern(1000)))
	u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
	planned := plans(u)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	defer func() { cancel(); <-errc }()
	<-st.started
	for signer.calls.Load() < 2 {
		nextPlan(t, planned)
	}
	// b was signed ahead (sign 2); now it changes and its new version is queued.
	newer := pattern(3000)
	p := filepath.Join(e.root, "_graded", "b.mov")
	if err := os.WriteFile(p, newer, 0o644); err != nil {
		t.Fatal(err)
	}
	mt := time.Now().Add(time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	e.enqueue(e.item("_graded/b.mov"))
	close(st.release)
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("a: %s (%s), want done", ev.kind, ev.reason)
	}
	if ev := e.until("_graded/b.mov", "done"); ev.kind != "done" {
		t.Fatalf("b: %s, want done", ev.kind)
	}
	if got, _, _ := st.object("_graded/b.mov"); len(got) != len(newer) {
		t.Errorf("b arrived with %d bytes, want the new version's %d", len(got), len(newer))
	}
	if n := st.sign("_graded/b.mov"); n == "2" || n == "" {
		t.Errorf("b's new version was PUT with sign %q: the URL signed ahead for the old version", n)
	}
	if n := signer.calls.Load(); n != 3 {
		t.Errorf("%d sign requests, want 3 (a, b's old version ahead, b's new version)", n)
	}
}

// TestSignAheadSignsEachFileOnce: on a fast link, where leases follow
// each other closely, signing ahead never signs a file its worker signs
// again (a URL made for a job already leased would be wasted): one sign
// request per file, and most of them made ahead.
func TestSignAheadSignsEachFileOnce(t *testing.T) {
	st := newStorage(t, nil)
	signer := signFor(st, 15*time.Minute)
	e := newEnv(t, st, signer)
	var rels []string
	for i := range 300 {
		rel := "_thumbnails/f" + itoa(i) + ".jpg"
		rels = append(rels, rel)
		e.enqueue(e.file(rel, pattern(4000)))
	}
	u, _ := e.run(Options{Workers: 4, FirstClass: "_thumbnails"})
	for _, rel := range rels {
		if ev := e.next(rel); ev.kind != "done" {
			t.Fatalf("%s: %s (%s), want done", rel, ev.kind, ev.reason)
		}
	}
	if n := signer.calls.Load(); n != int64(len(rels)) {
		t.Errorf("%d sign requests for %d files, want one each (signed ahead %d, used %d, dropped %d)",
			n, len(rels), u.ahead.signs.Load(), u.ahead.used.Load(), u.ahead.dropped.Load())
	}
	if used := u.ahead.used.Load(); used < int64(len(rels))/2 {
		t.Errorf("only %d of %d URLs were signed ahead", used, len(rels))
	}
}

// TestSignAheadRefusedTokenPausesPool: a token refused (401) on a sign
// made ahead closes the gate as a worker's would: no worker leases the
// next job, it keeps its attempts, the health names the token, and no
// further sign request is made before AuthRecheck.
func TestSignAheadRefusedTokenPausesPool(t *testing.T) {
	st := newGatedStorage(t, "_graded/a.mov")
	signer := &stubSigner{sign: func(_ context.Context, rel string, n int64) (odailies.SignedURL, error) {
		if n > 1 {
			return odailies.SignedURL{}, apiErr(http.StatusUnauthorized, "")
		}
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	e := newEnv(t, st.storage, signer)
	e.enqueue(e.file("_graded/a.mov", pattern(1000)))
	e.enqueue(e.file("_graded/b.mov", pattern(1000)))
	u := New(e.signer, e.rec, e.options(Options{Workers: 1, AuthRecheck: time.Hour}))
	planned := plans(u)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	<-st.started
	for signer.calls.Load() < 2 {
		nextPlan(t, planned)
	}
	deadline := time.After(waitLimit)
	for u.Snapshot().Health != HealthAuth {
		select {
		case <-planned:
		case <-deadline:
			t.Fatalf("health %q after a 401 signing ahead, want %q", u.Snapshot().Health, HealthAuth)
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(st.release)
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("a: %s (%s), want done (its URL was signed before the refusal)", ev.kind, ev.reason)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := signer.calls.Load(); n != 2 {
		t.Errorf("%d sign requests, want 2: none after the refusal before AuthRecheck", n)
	}
	j, ok, err := e.q.Lookup("_graded/b.mov")
	if err != nil || !ok || j.State != queue.Queued || j.Attempts != 0 {
		t.Errorf("b after the refusal: %+v (found %v), want queued with no attempt counted", j, ok)
	}
}
