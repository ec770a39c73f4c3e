package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// Show B's project and token in the fake API, beside the rig's own
// ("e2e", r.token), which show A uses.
const (
	projectB = "e2e-b"
	tokenB   = "e2e-token-of-show-b-0123456789abcdef"
)

// showsRig is a rig whose fake API knows show B's project and token too,
// and whose config has two [[watch]] tables: "Show A" on r.root with the
// rig's project and token, "Show B" on rootB with its own.
func showsRig(t *testing.T, o rigOptions) (r *rig, rootB string) {
	t.Helper()
	o.projects = map[string]map[string]odailiestest.Perm{projectB: {tokenB: odailiestest.Upload}}
	r = newRig(t, o)
	rootB = filepath.Join(r.dir, "root-b")
	for _, d := range []string{"_graded", "_thumbnails"} {
		mustMkdir(t, filepath.Join(rootB, d))
	}
	workers := o.workers
	if workers == 0 {
		workers = 4
	}
	body := fmt.Sprintf(`[api]
base_url = %q
[upload]
workers = %d
retry_min = "200ms"
retry_max = "2s"
stall_timeout = "5s"
[state]
dir = %q
[log]
file = %q
level = "debug"
status_every = "1s"

[[watch]]
name = "Show A"
root = %q
settle = "300ms"
project_id = "e2e"
token = %q

[[watch]]
name = "Show B"
root = %q
settle = "300ms"
project_id = %q
token = %q
`, r.api.URL(), workers, r.state, r.logFile, r.root, r.token, rootB, projectB, tokenB)
	if err := os.WriteFile(r.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return r, rootB
}

// keyB is where show B's file rel is stored: under its project's folder.
func keyB(rel string) string { return odailiestest.ProjectDir(projectB) + "/" + rel }

// showStatus is one entry of status.json's watches.
type showStatus struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Detail string `json:"detail"`
	Queued int    `json:"queued"`
	Active int    `json:"active"`
	Done   int    `json:"done"`
	Failed int    `json:"failed"`
}

// storedAll reports whether storage lists the key of every file (one
// listing: an object read per file is slow while storage is busy).
func (r *rig) storedAll(key func(string) string, files map[string][]byte) bool {
	keys := map[string]bool{}
	for _, k := range r.s3.Keys(r.t) {
		keys[k] = true
	}
	for rel := range files {
		if !keys[key(rel)] {
			return false
		}
	}
	return true
}

// watches reads status.json's watches.
func (r *rig) watches() []showStatus {
	data, err := os.ReadFile(filepath.Join(r.state, "status.json"))
	if err != nil {
		return nil
	}
	var doc struct {
		Watches []showStatus `json:"watches"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	return doc.Watches
}

// TestTwoShowsOneTokenRevoked: two shows, two projects, two tokens. Each
// tree goes to its own project. Show B's token is revoked while its files
// are still going up: B pauses, saying so with its name, A finishes, and
// sync's exit names B.
func TestTwoShowsOneTokenRevoked(t *testing.T) {
	r, rootB := showsRig(t, rigOptions{link: true})
	filesA, filesB := map[string][]byte{}, map[string][]byte{}
	for i := range 12 {
		rel := fmt.Sprintf("_graded/A%03dC001.mov", i)
		filesA[rel] = randomBytes(t, 150_000+i)
		writeFile(t, r.root, rel, filesA[rel])
	}
	for i := range 30 {
		rel := fmt.Sprintf("_graded/B%03dC001.mov", i)
		filesB[rel] = randomBytes(t, 150_000+i)
		writeFile(t, rootB, rel, filesB[rel])
	}
	// The same name in both trees must land in each one's project.
	filesA["_thumbnails/same.jpg"], filesB["_thumbnails/same.jpg"] = randomBytes(t, 5000), randomBytes(t, 5001)
	writeFile(t, r.root, "_thumbnails/same.jpg", filesA["_thumbnails/same.jpg"])
	writeFile(t, rootB, "_thumbnails/same.jpg", filesB["_thumbnails/same.jpg"])
	r.link.Bandwidth(toxi.Upstream, 400) // per connection: B's 30 files take seconds

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	c := r.command(ctx, "sync")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	r.eventually("a first file of show B stored", 60*time.Second, func() bool {
		_, ok := r.s3.Object(t, keyB("_thumbnails/same.jpg"))
		return ok
	})
	r.api.Revoke(tokenB)
	revoked := time.Now()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("sync did not end\nlog:\n%s", r.logTail())
	}
	res := r.result(c, nil)
	t.Logf("sync ended %s after the revoke", time.Since(revoked).Round(time.Millisecond))
	if res.code != 1 || !strings.Contains(res.stderr, `show "Show B"`) || strings.Contains(res.stderr, `show "Show A"`) ||
		!strings.Contains(res.stderr, "does not accept the token") {
		t.Errorf("sync exited %d, stderr:\n%s\nwant 1, naming show B's refused token and not show A", res.code, res.stderr)
	}
	for rel, want := range filesA {
		if got, ok := r.s3.Object(t, rel); !ok || !bytes.Equal(got, want) {
			t.Errorf("show A's %s: stored %v (%d bytes), want its %d bytes", rel, ok, len(got), len(want))
		}
	}
	storedB := 0
	for rel, want := range filesB {
		got, ok := r.s3.Object(t, keyB(rel))
		if ok {
			storedB++
			if !bytes.Equal(got, want) {
				t.Errorf("show B's %s: stored bytes that are not its file's", rel)
			}
		}
	}
	if storedB == 0 || storedB == len(filesB) {
		t.Errorf("%d of show B's %d files stored: want some before the revoke and not all after", storedB, len(filesB))
	}
	for _, k := range r.s3.Keys(t) {
		if strings.HasPrefix(k, "_graded/B") {
			t.Errorf("show B's %s went to show A's project", k)
		}
		if strings.HasPrefix(k, keyB("_graded/A")) {
			t.Errorf("show A's %s went to show B's project", k)
		}
	}
	log := r.logText()
	if !strings.Contains(log, `watch="Show B"`) || !strings.Contains(log, `watch="Show A"`) {
		t.Errorf("the log does not name both shows (watch=…):\n%s", r.logTail())
	}
	if n := strings.Count(log, `signing paused for show \"Show B\"; the other shows go on`); n != 1 || strings.Contains(log, `signing paused for show \"Show A\"`) {
		t.Errorf("the log says %d times that show B paused (want once, and never show A):\n%s", n, r.logTail())
	}
	ws := r.watches()
	if len(ws) != 2 || ws[0].Name != "Show A" || ws[0].State != "stopped" && ws[0].State != "running" || ws[0].Done != len(filesA) ||
		ws[1].Name != "Show B" || ws[1].State != "auth-error" {
		t.Errorf("status.json watches %+v: want A with %d done, B auth-error", ws, len(filesA))
	}
	st := r.status()
	if st.Done != len(filesA)+storedB {
		t.Errorf("status done %d, want the two shows' total %d", st.Done, len(filesA)+storedB)
	}
	out := r.cmd(t.Context(), "status")
	if !strings.Contains(out.stdout, `Show "Show B":`) || !strings.Contains(out.stdout, "auth-error") {
		t.Errorf("status does not show show B's pause:\n%s", out.stdout)
	}
}

// TestShowsShareFairly: show A has 1 GiB of clips queued and uploading
// on every worker when show B's thumbnails and clips are dropped: B's
// thumbnails are stored within seconds, and B's clips go up while A's are
// still going, not after them.
func TestShowsShareFairly(t *testing.T) {
	r, rootB := showsRig(t, rigOptions{link: true, workers: 4})
	for i := range 64 {
		writeClip(t, filepath.Join(r.root, "_graded", fmt.Sprintf("A%03dC001.mov", i)), 16<<20, true)
	}
	r.link.Bandwidth(toxi.Upstream, 3000) // per connection; A alone needs well over a minute
	d := r.start()
	r.eventually("every worker carrying a clip of show A", 60*time.Second, func() bool {
		ws := r.watches()
		return len(ws) == 2 && ws[0].Active >= 4
	})
	thumbs := map[string][]byte{}
	for i := range 10 {
		rel := fmt.Sprintf("_thumbnails/B%03d.jpg", i)
		thumbs[rel] = randomBytes(t, 20_000+i)
		writeFile(t, rootB, rel, thumbs[rel])
	}
	clipsB := map[string][]byte{}
	for i := range 4 {
		rel := fmt.Sprintf("_graded/B%03dC001.mov", i)
		clipsB[rel] = randomBytes(t, 2<<20+i)
		writeFile(t, rootB, rel, clipsB[rel])
	}
	dropped := time.Now()
	r.eventually("show B's 10 thumbnails stored within 3 s", 3*time.Second, func() bool {
		return r.storedAll(keyB, thumbs)
	})
	t.Logf("show B's thumbnails stored %s after the drop", time.Since(dropped).Round(time.Millisecond))
	r.eventually("show B's clips stored while show A still uploads", 90*time.Second, func() bool {
		return r.storedAll(keyB, clipsB)
	})
	took := time.Since(dropped)
	ws := r.watches()
	if len(ws) != 2 || ws[0].Queued == 0 {
		t.Errorf("show A has nothing queued when B's clips are done (%+v): B waited for A", ws)
	}
	t.Logf("show B's 4 clips stored %s after the drop; show A then: %+v", took.Round(time.Millisecond), ws[0])
	for rel, want := range clipsB {
		if got, _ := r.s3.Object(t, keyB(rel)); !bytes.Equal(got, want) {
			t.Errorf("show B's %s: stored bytes are not the file's", rel)
		}
	}
	d.stop()
}

// TestConvertToShowsSendsNothingAgain is the hazard of several shows: a
// one-show config of the old form syncs a tree; the same show written as
// a [[watch]] table, then renamed with a second show beside it, syncs
// again: show A signs nothing more (its queue is kept), show B's tree goes
// to its own project.
func TestConvertToShowsSendsNothingAgain(t *testing.T) {
	r := newRig(t, rigOptions{projects: map[string]map[string]odailiestest.Perm{projectB: {tokenB: odailiestest.Upload}}})
	for i := range 5 {
		writeFile(t, r.root, fmt.Sprintf("_graded/A%03dC001.mov", i), randomBytes(t, 10_000+i))
	}
	r.sync(0)
	signed := r.api.Requests("sign")
	if signed != 5 {
		t.Fatalf("%d sign requests for 5 files", signed)
	}
	rootB := filepath.Join(r.dir, "root-b")
	writeFile(t, rootB, "_graded/B000C001.mov", randomBytes(t, 20_000))
	common := fmt.Sprintf("[api]\nbase_url = %q\n[state]\ndir = %q\n[log]\nfile = %q\nlevel = \"debug\"\n", r.api.URL(), r.state, r.logFile)
	showA := func(name string) string {
		return fmt.Sprintf("[[watch]]\nname = %q\nroot = %q\nsettle = \"300ms\"\nproject_id = \"e2e\"\ntoken = %q\n", name, r.root, r.token)
	}
	showB := fmt.Sprintf("[[watch]]\nname = \"Show B\"\nroot = %q\nsettle = \"300ms\"\nproject_id = %q\ntoken = %q\n", rootB, projectB, tokenB)
	for _, body := range []string{common + showA("Show A"), common + showA("Show A, renamed") + showB} {
		if err := os.WriteFile(r.config, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r.sync(0)
	}
	if n := r.api.Requests("sign"); n != signed+1 {
		t.Errorf("%d sign requests after the conversion and a second show, want %d (show B's one file only)", n, signed+1)
	}
	if _, ok := r.s3.Object(t, keyB("_graded/B000C001.mov")); !ok {
		t.Error("show B's file is not in its project")
	}
	if st := r.status(); st.Done != 6 {
		t.Errorf("status done %d, want 6 (A's 5 kept, B's 1)", st.Done)
	}
}
