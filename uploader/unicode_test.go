package uploader

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// Names in two Unicode forms: "é" composed (NFC, what the API names) and
// "e" + U+0301 (NFD, what a Mac writes).
const (
	cafeNFC  = "Caf\u00e9"
	cafeNFD  = "Cafe\u0301"
	sceneNFC = "Sc\u00e8ne.mov"
	sceneNFD = "Sce\u0300ne.mov"
)

// spelled writes a file whose name on disk is disk and returns its item as
// the watcher hands it over: the NFC path, and disk as its Disk.
func (e *env) spelled(disk string, data []byte) queue.Item {
	e.t.Helper()
	it := e.file(disk, data)
	it.Path, it.Disk = norm.NFC.String(disk), disk
	return it
}

// namingSigner signs like signFor and keeps the names it was asked for.
func namingSigner(st *storage) (*stubSigner, func() []string) {
	var mu sync.Mutex
	var names []string
	s := &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		mu.Lock()
		names = append(names, rel)
		mu.Unlock()
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	return s, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), names...) }
}

// TestUploadsMixedSpellings: a file is opened where the job's Disk says,
// NFC and NFD mixed per segment, and signed and stored under its NFC
// path.
func TestUploadsMixedSpellings(t *testing.T) {
	tests := []struct{ name, disk string }{
		{"NFD file in an NFC folder", "_graded/" + cafeNFC + "/" + sceneNFD},
		{"NFC file in an NFD folder", "_graded/" + cafeNFD + "/" + sceneNFC},
		{"NFD throughout", "_graded/" + cafeNFD + "/" + sceneNFD},
	}
	want := "_graded/" + cafeNFC + "/" + sceneNFC
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStorage(t, nil)
			signer, signed := namingSigner(st)
			e := newEnv(t, st, signer)
			data := pattern(1000)
			it := e.spelled(tt.disk, data)
			if it.Path != want {
				t.Fatalf("NFC path %+q, want %+q", it.Path, want)
			}
			e.enqueue(it)
			e.run(Options{})
			if ev := e.next(want); ev.kind != "done" {
				t.Fatalf("got %s %q, want done", ev.kind, ev.reason)
			}
			if got, _, ok := st.object(want); !ok || !bytes.Equal(got, data) {
				t.Errorf("stored under the NFC path: %v, %d bytes", ok, len(got))
			}
			if names := signed(); len(names) != 1 || names[0] != want {
				t.Errorf("signed %+q, want [%+q]", names, want)
			}
		})
	}
}

// TestOpensTheDiskSpelling: where both spellings of a name are files (a
// file system that keeps names as written), the one Disk names is sent.
func TestOpensTheDiskSpelling(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	e.file("_graded/"+sceneNFC, bytes.Repeat([]byte("c"), 20))
	if _, err := os.Lstat(filepath.Join(e.root, "_graded", sceneNFD)); err == nil {
		t.Skip("this file system finds one spelling under the other")
	}
	nfd := e.spelled("_graded/"+sceneNFD, bytes.Repeat([]byte("d"), 20))
	e.enqueue(nfd)
	e.run(Options{})
	if ev := e.next(nfd.Path); ev.kind != "done" {
		t.Fatalf("got %s %q", ev.kind, ev.reason)
	}
	if got, _, _ := st.object(nfd.Path); string(got) != strings.Repeat("d", 20) {
		t.Errorf("sent %q, want the NFD file's bytes", got)
	}
}

// TestNoDiskNoGuess: a job without a Disk whose file exists only in NFD
// is gone: the uploader no longer guesses another spelling (the watcher
// hands the file over with its Disk, and the queue queues it again).
func TestNoDiskNoGuess(t *testing.T) {
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	it := e.spelled("_graded/"+sceneNFD, pattern(10))
	if _, err := os.Lstat(filepath.Join(e.root, filepath.FromSlash(it.Path))); err == nil {
		t.Skip("this file system finds the NFD name under its NFC spelling")
	}
	it.Disk = ""
	e.enqueue(it)
	e.run(Options{})
	if ev := e.next(it.Path); ev.kind != "gone" {
		t.Fatalf("got %s %q, want gone", ev.kind, ev.reason)
	}
	it.Disk = "_graded/" + sceneNFD
	e.enqueue(it) // the watcher hands it over again, with its spelling
	if ev := e.next(it.Path); ev.kind != "done" {
		t.Fatalf("after the spelling came: got %s %q, want done", ev.kind, ev.reason)
	}
}

// TestRefusesForeignSpelling: a Disk that is not a spelling of the Path
// fails the job, and nothing is signed or sent.
func TestRefusesForeignSpelling(t *testing.T) {
	st := newStorage(t, nil)
	signer := signFor(st, time.Hour)
	e := newEnv(t, st, signer)
	it := e.file("_graded/secret.mov", pattern(10))
	it.Path = "_graded/public.mov"
	it.Disk = "_graded/secret.mov"
	e.enqueue(it)
	e.run(Options{})
	ev := e.next(it.Path)
	if ev.kind != "fail" || !strings.Contains(ev.reason, "not the same name") {
		t.Errorf("got %s %q", ev.kind, ev.reason)
	}
	if n, s := st.puts.Load(), signer.calls.Load(); n != 0 || s != 0 {
		t.Errorf("%d PUTs, %d sign requests", n, s)
	}
}
