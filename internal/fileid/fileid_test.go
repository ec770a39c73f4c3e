package fileid

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func write(t *testing.T, path, body string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// A file replaced at its path by another with the same size and mtime has
// another ID; the same file under another name (a rename) keeps it.
func TestReplacedFileHasAnotherID(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.mov")
	mtime := time.Date(2026, 4, 22, 18, 0, 0, 0, time.UTC)
	write(t, a, "first", mtime)
	f, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	opened, ofi, ok, err := Of(f)
	f.Close()
	if err != nil || !ok {
		t.Fatalf("Of: ok %v, err %v", ok, err)
	}

	again, _, ok, err := Stat(a)
	if err != nil || !ok || again != opened {
		t.Fatalf("Stat of the same file: %v ok %v err %v, want %v", again, ok, err, opened)
	}

	moved := filepath.Join(dir, "b.mov")
	if err := os.Rename(a, moved); err != nil {
		t.Fatal(err)
	}
	if id, _, _, _ := Stat(moved); id != opened {
		t.Errorf("renamed file: %v, want %v", id, opened)
	}

	write(t, a, "other", mtime) // same size, same mtime, another file
	id, fi, ok, err := Stat(a)
	if err != nil || !ok {
		t.Fatalf("Stat: ok %v err %v", ok, err)
	}
	if fi.Size() != ofi.Size() || !fi.ModTime().Equal(ofi.ModTime()) {
		t.Fatalf("test setup: size/mtime differ: %d %v vs %d %v", fi.Size(), fi.ModTime(), ofi.Size(), ofi.ModTime())
	}
	if id == opened {
		t.Errorf("replaced file has the uploaded file's ID %v", id)
	}
}

func TestBytesRoundTrip(t *testing.T) {
	id := ID{Dev: 0x803, Ino: 1<<40 + 7}
	if got := FromBytes(id.Bytes()); got != id {
		t.Errorf("round trip: %v, want %v", got, id)
	}
	if (ID{}).Bytes() != nil || !FromBytes(nil).IsZero() || !FromBytes([]byte{1, 2}).IsZero() {
		t.Error("zero ID must store as nil and odd bytes read as zero")
	}
}

func TestStatNotRegular(t *testing.T) {
	dir := t.TempDir()
	if _, _, ok, err := Stat(dir); ok || err != nil {
		t.Errorf("Stat of a folder: ok %v err %v, want not ok, no error", ok, err)
	}
	if _, _, _, err := Stat(filepath.Join(dir, "none")); !os.IsNotExist(err) {
		t.Errorf("Stat of nothing: %v, want not exist", err)
	}
}
