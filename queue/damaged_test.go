package queue

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const damagedText = "queue.db is damaged: move it aside (the uploader will re-send what it had recorded) or restore a copy"

// sampleFile writes a closed queue of n jobs in every stored state and
// returns its bytes.
func sampleFile(t testing.TB, path string, n int) []byte {
	t.Helper()
	q, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	var items []Item
	for i := range n {
		items = append(items, item(fmt.Sprintf("_graded/day%02d/clip_%05d.mov", i%7, i), int64(i+1)))
	}
	enqueue(t, q, items...)
	for i := range n / 2 {
		j := mustLease(t, q)
		switch i % 4 {
		case 0:
			err = q.Fail(j, "403 forbidden")
		case 1:
			err = q.Retry(j, t0.Add(time.Hour), "503")
		default:
			err = q.Done(j, testDelivery)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pageOf returns the first page in use of type typ ("branch", "leaf",
// "freelist") in the file at path; freed pages keep their old headers.
func pageOf(t testing.TB, path, typ string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	found := -1
	_ = db.View(func(tx *bolt.Tx) error {
		for id := 2; found < 0; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				return err
			}
			if info.Type == typ {
				found = id
			}
		}
		return nil
	})
	if found < 0 {
		t.Fatalf("no %s page in use", typ)
	}
	return found
}

func garbage(b []byte, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// TestOpenDamaged: the damage issue 14 names, and more. Each is refused
// with ErrDamaged, no panic, the file left as it was and a copy of it kept.
func TestOpenDamaged(t *testing.T) {
	sample := dbPath(t)
	good := sampleFile(t, sample, 3000)
	branch, leaf, freelist := pageOf(t, sample, "branch"), pageOf(t, sample, "leaf"), pageOf(t, sample, "freelist")
	ps := os.Getpagesize() // bbolt's page size for a file made here
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		want   string
	}{
		{"cut to half", func(b []byte) []byte { return b[:len(b)/2] }, "cut short"},
		{"cut to 8 KiB", func(b []byte) []byte { return b[:8<<10] }, "cut short"},
		{"cut inside the first page", func(b []byte) []byte { return b[:100] }, "cut short"},
		{"freelist page garbage", func(b []byte) []byte {
			garbage(b[freelist*ps:][:ps], 1)
			return b
		}, "not a freelist page"},
		{"leaf page garbage", func(b []byte) []byte {
			garbage(b[leaf*ps:][:ps], 2)
			return b
		}, "bbolt panicked"},
		{"branch key out of order", func(b []byte) []byte {
			// The second element's key becomes 8 bytes of 0xff in the
			// page's unused end: keys under it are looked for elsewhere.
			p := b[branch*ps:][:ps]
			copy(p[ps-96:], bytes.Repeat([]byte{0xff}, 8))
			elem := p[pageHeaderSize+16:]
			ne.PutUint32(elem, uint32(ps-96-pageHeaderSize-16))
			ne.PutUint32(elem[4:], 8)
			return b
		}, "corrupt record"},
		{"leaf value points outside the file", func(b []byte) []byte {
			ne.PutUint32(b[leaf*ps+pageHeaderSize+4:], 0x7fff0000)
			return b
		}, ""},
		{"both meta pages garbage", func(b []byte) []byte {
			garbage(b[:2*ps], 3)
			return b
		}, "meta page"},
		{"not a queue at all", func(b []byte) []byte { return bytes.Repeat([]byte("dailies\n"), 4096) }, "meta page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := dbPath(t)
			bad := tt.damage(bytes.Clone(good))
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			copyName := checkDamaged(t, path, bad, tt.want)
			// A restart into the same damage reuses the copy.
			if again := checkDamaged(t, path, bad, tt.want); again != copyName {
				t.Errorf("second Open kept %s, first %s", again, copyName)
			}
		})
	}
}

// checkDamaged opens a damaged file and checks the error, the file and the
// copy; it returns the copy's name.
func checkDamaged(t *testing.T, path string, bad []byte, want string) string {
	t.Helper()
	q, err := Open(path, Options{Timeout: 200 * time.Millisecond, Now: newClock().Now})
	if err == nil {
		_ = q.Close()
		t.Fatal("Open accepted a damaged file")
	}
	msg := err.Error()
	t.Log(msg)
	if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrLocked) {
		t.Fatalf("error %q: want ErrDamaged", err)
	}
	for _, s := range []string{path, damagedText, want} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not say %q", msg, s)
		}
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, bad) {
		t.Error("Open changed the damaged file")
	}
	copies, _ := filepath.Glob(path + ".damaged-*")
	if len(copies) != 1 {
		t.Fatalf("copies %v, want one", copies)
	}
	if want := path + ".damaged-20261127T090000Z"; copies[0] != want || !strings.Contains(msg, want) {
		t.Errorf("copy %s (error %q), want %s named in the error", copies[0], msg, want)
	}
	if c, _ := os.ReadFile(copies[0]); !bytes.Equal(c, bad) {
		t.Error("the copy differs from the file as found")
	}
	return copies[0]
}

// TestDamagedCopyOfChangedFile: a file damaged differently gets a copy of
// its own beside the first.
func TestDamagedCopyOfChangedFile(t *testing.T) {
	path := dbPath(t)
	for i, b := range [][]byte{bytes.Repeat([]byte{1}, 9000), bytes.Repeat([]byte{2}, 9000)} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, Options{Now: newClock().Now}); !errors.Is(err, ErrDamaged) {
			t.Fatalf("open %d: %v", i, err)
		}
	}
	copies, _ := filepath.Glob(path + ".damaged-*")
	if len(copies) != 2 || copies[1] != path+".damaged-20261127T090000Z-2" {
		t.Errorf("copies %v", copies)
	}
}

// TestOpenDamagedWhileInUse: pages that look damaged because an uploader
// holds the file (and may be writing them) are not called damage: Open
// says the file is in use, and keeps no copy.
func TestOpenDamagedWhileInUse(t *testing.T) {
	path := dbPath(t)
	sampleFile(t, path, 100)
	q := open(t, path, Options{})
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(os.Getpagesize())
	if _, err := f.WriteAt(make([]byte, ps), 0); err != nil { // both metas as if mid-write
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 64), ps); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || errors.Is(err, ErrDamaged) {
		t.Errorf("Open of a held file: %v, want ErrLocked", err)
	}
	if copies, _ := filepath.Glob(path + ".damaged-*"); len(copies) != 0 {
		t.Errorf("copies %v of a file in use", copies)
	}
	_ = q.Close()
}
