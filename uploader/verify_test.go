package uploader

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestDigestRefusalsAreTransient: a BadDigest or InvalidDigest answer
// (400, S3's XML) makes the uploader read the file again and send it
// again at once, and the second send is the upload, verified.
func TestDigestRefusalsAreTransient(t *testing.T) {
	for _, code := range []string{"BadDigest", "InvalidDigest"} {
		t.Run(code, func(t *testing.T) {
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				if n == 1 {
					_, _ = io.Copy(io.Discard, r.Body)
					storageXML(w, http.StatusBadRequest, code)
					return true
				}
				return false
			})
			e := newEnv(t, st, signFor(st, time.Hour))
			data := pattern(2 << 20)
			e.enqueue(e.file("_graded/a.mov", data))
			e.run(Options{Workers: 1})
			if ev := e.next("_graded/a.mov"); ev.kind != "done" {
				t.Fatalf("%s %s, want done", ev.kind, ev.reason)
			}
			if n := st.puts.Load(); n != 2 {
				t.Errorf("%d PUTs, want 2", n)
			}
			want := queue.Delivery{MD5: md5hex(data), ETag: md5hex(data), Verified: queue.VerifiedETag}
			if d := e.rec.delivery("_graded/a.mov"); d.MD5 != want.MD5 || d.ETag != want.ETag || d.Verified != want.Verified {
				t.Errorf("delivery %+v, want %+v", d, want)
			}
			if !strings.Contains(e.logs.String(), "upload arrived damaged") {
				t.Errorf("no log line for the damaged send:\n%s", e.logs)
			}
		})
	}
}

// TestDamagedEveryTimeFails: a storage that receives damaged bytes on
// every send fails the job after maxDamaged sends, naming the damage (or,
// for InvalidDigest, the setting that leaves the header out).
func TestDamagedEveryTimeFails(t *testing.T) {
	tests := map[string]struct {
		code, reason, hint string
	}{
		"BadDigest":     {"BadDigest", "the storage received different bytes than the file holds 3 times: a bad network card, proxy or disk read may be damaging uploads", "network card"},
		"InvalidDigest": {"InvalidDigest", "the storage refused the Content-MD5 header 3 times", `upload.verify = \"none\"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				_, _ = io.Copy(io.Discard, r.Body)
				storageXML(w, http.StatusBadRequest, tt.code)
				return true
			})
			e := newEnv(t, st, signFor(st, time.Hour))
			e.enqueue(e.file("_graded/a.mov", pattern(1000)))
			_, run := e.run(Options{Workers: 1})
			ev := e.next("_graded/a.mov")
			_ = run.Stop() // the failure's log line is written once Run returns
			if ev.kind != "fail" || !strings.Contains(ev.reason, tt.reason) || !strings.Contains(ev.reason, tt.code) {
				t.Fatalf("%s %q, want fail naming %q", ev.kind, ev.reason, tt.reason)
			}
			if n := st.puts.Load(); n != maxDamaged {
				t.Errorf("%d PUTs, want %d", n, maxDamaged)
			}
			if !strings.Contains(e.logs.String(), tt.hint) {
				t.Errorf("the failure's log line does not say %q:\n%s", tt.hint, e.logs)
			}
		})
	}
}

// TestETagMismatchResends: a 2xx whose ETag is a plain MD5 of other bytes
// is a damaged upload (storage that ignores Content-MD5 stored what came):
// the file is sent again, and the upload is the send whose ETag matches.
func TestETagMismatchResends(t *testing.T) {
	st := newStorage(t, nil)
	st.etag = func(n int64, sum string) string {
		if n == 1 {
			return `"` + md5hex([]byte("other bytes")) + `"`
		}
		return `"` + strings.ToUpper(sum) + `"` // case does not matter
	}
	e := newEnv(t, st, signFor(st, time.Hour))
	data := pattern(5000)
	e.enqueue(e.file("_graded/a.mov", data))
	e.run(Options{Workers: 1})
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("%s %s, want done", ev.kind, ev.reason)
	}
	if n := st.puts.Load(); n != 2 {
		t.Errorf("%d PUTs, want 2", n)
	}
	if d := e.rec.delivery("_graded/a.mov"); d.Verified != queue.VerifiedETag || d.ETag != md5hex(data) {
		t.Errorf("delivery %+v", d)
	}
}

// TestETagNotComparable: an ETag that is no plain MD5 (multipart-style,
// none, or one of an encrypted object) leaves the upload verified by the
// storage's Content-MD5 check, recorded as such, sent once.
func TestETagNotComparable(t *testing.T) {
	data := pattern(3000)
	tests := map[string]struct {
		etag, sse string
		want      string // the recorded ETag
	}{
		"multipart": {etag: `"1b2cf535f27731c974343645a3985328-3"`, want: "1b2cf535f27731c974343645a3985328-3"},
		"none":      {etag: "", want: ""},
		"azure":     {etag: `"0x8DC4E5E5E5E5E5E"`, want: "0x8DC4E5E5E5E5E5E"},
		"sse-kms":   {etag: `"` + md5hex([]byte("ciphertext")) + `"`, sse: "aws:kms", want: md5hex([]byte("ciphertext"))},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
				if tt.sse != "" {
					w.Header().Set("X-Amz-Server-Side-Encryption", tt.sse)
				}
				return false
			})
			st.etag = func(int64, string) string { return tt.etag }
			e := newEnv(t, st, signFor(st, time.Hour))
			e.enqueue(e.file("_graded/a.mov", data))
			e.run(Options{Workers: 1})
			if ev := e.next("_graded/a.mov"); ev.kind != "done" {
				t.Fatalf("%s %s, want done", ev.kind, ev.reason)
			}
			want := queue.Delivery{MD5: md5hex(data), ETag: tt.want, Verified: queue.VerifiedContentMD5}
			if d := e.rec.delivery("_graded/a.mov"); d.MD5 != want.MD5 || d.ETag != want.ETag || d.Verified != want.Verified {
				t.Errorf("delivery %+v, want %+v", d, want)
			}
			if n := st.puts.Load(); n != 1 {
				t.Errorf("%d PUTs, want 1", n)
			}
		})
	}
}

// TestVerifyNone: with VerifyNone no PUT carries Content-MD5, nothing is
// hashed, and the upload is recorded as not verified, with the ETag.
func TestVerifyNone(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	data := pattern(4000)
	e.enqueue(e.file("_graded/a.mov", data))
	u, run := e.run(Options{Workers: 1, Verify: VerifyNone})
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("%s %s, want done", ev.kind, ev.reason)
	}
	_ = run.Stop() // the log line is written once Run returns
	_, h, _ := st.object("_graded/a.mov")
	if v, ok := h["Content-Md5"]; ok {
		t.Errorf("Content-MD5 %q sent with VerifyNone", v)
	}
	want := queue.Delivery{ETag: md5hex(data), Verified: queue.VerifiedNone}
	if d := e.rec.delivery("_graded/a.mov"); d.MD5 != "" || d.ETag != want.ETag || d.Verified != want.Verified {
		t.Errorf("delivery %+v, want %+v", d, want)
	}
	if n := u.sums.ahead.Load() + u.sums.inline.Load(); n != 0 {
		t.Errorf("%d files hashed with VerifyNone", n)
	}
	if !strings.Contains(e.logs.String(), `verified="no (upload.verify = \"none\")"`) {
		t.Errorf("log does not say the upload is unverified:\n%s", e.logs)
	}
}

// TestFileChangedAfterHashing: a digest is of one version. A file whose
// content changed after its digest was taken, its size and mtime put
// back (a tool that keeps them), is refused by the storage and sent again
// with a fresh digest; one that changes while it is sent (mtime moved) is
// Changed, not damaged; one whose mtime moved before the send is Changed
// at once.
func TestFileChangedAfterHashing(t *testing.T) {
	t.Run("content, size and mtime kept", func(t *testing.T) {
		st := newStorage(t, nil)
		e := newEnv(t, st, signFor(st, time.Hour))
		it := e.file("_graded/a.mov", pattern(streamedSize))
		u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
		u.prehash(t.Context(), it) // the hasher took its digest
		if !u.sums.has(keyOf(it)) {
			t.Fatal("prehash did not cache the digest")
		}
		fresh := pattern(streamedSize)
		fresh[100] ^= 0xff
		p := filepath.Join(e.root, "_graded/a.mov")
		if err := os.WriteFile(p, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, it.ModTime, it.ModTime); err != nil {
			t.Fatal(err)
		}
		e.enqueue(it)
		runUploader(t, u)
		if ev := e.next("_graded/a.mov"); ev.kind != "done" {
			t.Fatalf("%s %s, want done", ev.kind, ev.reason)
		}
		if got, _, _ := st.object("_graded/a.mov"); md5hex(got) != md5hex(fresh) {
			t.Errorf("stored %s, want the file as it is now, %s", md5hex(got), md5hex(fresh))
		}
		if d := e.rec.delivery("_graded/a.mov"); d.MD5 != md5hex(fresh) {
			t.Errorf("recorded md5 %s, want %s", d.MD5, md5hex(fresh))
		}
		if n := st.puts.Load(); n != 2 {
			t.Errorf("%d PUTs, want 2 (the stale digest refused, then the fresh one)", n)
		}
	})
	t.Run("changed during the send", func(t *testing.T) {
		var e *env
		st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
			_, _ = io.Copy(io.Discard, r.Body)
			p := filepath.Join(e.root, "_graded/a.mov")
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(p, later, later); err != nil {
				t.Error(err)
			}
			storageXML(w, http.StatusBadRequest, "BadDigest")
			return true
		})
		e = newEnv(t, st, signFor(st, time.Hour))
		e.enqueue(e.file("_graded/a.mov", pattern(streamedSize)))
		e.run(Options{Workers: 1})
		if ev := e.next("_graded/a.mov"); ev.kind != "changed" {
			t.Fatalf("%s %s, want changed", ev.kind, ev.reason)
		}
		if n := st.puts.Load(); n != 1 {
			t.Errorf("%d PUTs, want 1", n)
		}
	})
	t.Run("mtime moved after hashing, before the send", func(t *testing.T) {
		st := newStorage(t, nil)
		e := newEnv(t, st, signFor(st, time.Hour))
		it := e.file("_graded/a.mov", pattern(streamedSize))
		u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
		u.prehash(t.Context(), it) // the hasher took it
		if !u.sums.has(keyOf(it)) || u.sums.ahead.Load() != 1 {
			t.Fatal("prehash did not cache the digest")
		}
		later := it.ModTime.Add(time.Second)
		if err := os.Chtimes(filepath.Join(e.root, "_graded/a.mov"), later, later); err != nil {
			t.Fatal(err)
		}
		e.enqueue(it)
		j, err := e.q.Lease(t.Context(), queue.LeaseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o := u.process(t.Context(), t.Context(), j)
		if o.verdict != verdictChanged || st.puts.Load() != 0 {
			t.Errorf("verdict %d (%s) after %d PUTs, want changed before any", o.verdict, o.reason, st.puts.Load())
		}
	})
}

// TestHashedAheadOnce: with one worker and several files, the hasher
// reads the next files while the worker sends, so only the first is
// hashed by the worker, and each file is read once for its digest.
func TestHashedAheadOnce(t *testing.T) {
	var items []queue.Item
	var mu sync.Mutex
	published := map[string]chan struct{}{}
	readyCh := func(path string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if published[path] == nil {
			published[path] = make(chan struct{})
		}
		return published[path]
	}
	st := newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
		// Hold each PUT until the next file's digest is published: the
		// network is slower than the disk.
		if int(n) < len(items) {
			select {
			case <-readyCh(items[n].Path):
			case <-time.After(waitLimit):
				t.Errorf("%s was not hashed while PUT %d waited", items[n].Path, n)
			}
		}
		return false
	})
	e := newEnv(t, st, signFor(st, time.Hour))
	for i := range 5 {
		items = append(items, e.file("_graded/"+itoa(i)+".mov", pattern(streamedSize+i)))
	}
	e.enqueue(items...)
	u := New(e.signer, e.rec, e.options(Options{Workers: 1}))
	u.sums.onPublish = func(k digestKey) { close(readyCh(k.path)) }
	runUploader(t, u)
	for _, it := range items {
		if ev := e.next(it.Path); ev.kind != "done" {
			t.Fatalf("%s: %s %s", it.Path, ev.kind, ev.reason)
		}
	}
	if in, ahead := u.sums.inline.Load(), u.sums.ahead.Load(); in != 1 || ahead != 4 {
		t.Errorf("hashed %d by the worker and %d ahead, want 1 and 4", in, ahead)
	}
	if n := st.puts.Load(); n != 5 {
		t.Errorf("%d PUTs, want 5", n)
	}
}

// runUploader runs u until the test ends, and checks Run's error.
func runUploader(t *testing.T, u *Uploader) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// TestDigestCacheBounded: the cache keeps at most its size of finished
// digests, evicting the oldest first, never one being computed.
func TestDigestCacheBounded(t *testing.T) {
	c := newDigests(3)
	key := func(i int) digestKey { return digestKey{path: itoa(i), size: 1} }
	busy, _ := c.claim(key(0)) // being computed
	for i := 1; i <= 10; i++ {
		e, mine := c.claim(key(i))
		if !mine {
			t.Fatalf("claim %d: not mine", i)
		}
		c.publish(key(i), e, digest{byte(i)}, nil)
		if i == 5 { // dropped and claimed again: listed once
			c.drop(key(i), nil)
			e, _ = c.claim(key(i))
			c.publish(key(i), e, digest{byte(i)}, nil)
		}
	}
	if len(c.m) > 3 || !c.has(key(0)) || !c.has(key(10)) || c.has(key(1)) {
		t.Errorf("cache holds %d entries (0: %v, 10: %v, 1: %v)", len(c.m), c.has(key(0)), c.has(key(10)), c.has(key(1)))
	}
	if len(c.order) > 4 {
		t.Errorf("order lists %d keys for %d entries", len(c.order), len(c.m))
	}
	c.publish(key(0), busy, digest{}, errVersionChanged)
	if c.has(key(0)) {
		t.Error("a failed digest stays cached")
	}
}
