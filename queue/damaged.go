package queue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// errPanicked marks an error made from a panic (or a fault on the mapped
// file) inside bbolt, which it raises on some damaged files.
var errPanicked = errors.New("bbolt panicked")

// guard runs fn and turns a panic into an error wrapping errPanicked. A
// fault while reading the memory-mapped file (a page past the end of a cut
// file, a pointer read from garbage) becomes a panic too, for fn's
// goroutine only: debug.SetPanicOnFault is per goroutine, which is why
// bbolt's own Tx.Check, run in a goroutine of its own, is not used (see
// doc.go). bbolt's View and Update roll back on a panic, so the database
// stays usable for Close.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return fn()
}

// damagedError is a queue file that cannot be trusted. It wraps ErrDamaged
// and the cause.
type damagedError struct {
	path    string
	copy    string // where the file was copied as found; "" if it was not
	copyErr error  // why it was not
	cause   error
}

func (e *damagedError) Error() string {
	kept := "a copy as found is " + e.copy
	if e.copy == "" {
		kept = fmt.Sprintf("no copy could be kept (%v)", e.copyErr)
	}
	return fmt.Sprintf("%s is damaged: move it aside (the uploader will re-send what it had recorded) or restore a copy; %s: %v",
		filepath.Base(e.path), kept, e.cause)
}

func (e *damagedError) Unwrap() []error { return []error{ErrDamaged, e.cause} }

// damaged keeps a copy of the file at path as it is now and returns the
// error that says so. The caller holds bbolt's lock on the file (or knows
// no uploader does), so nothing writes it meanwhile.
func damaged(path string, now time.Time, cause error) error {
	name, err := keepCopy(path, now)
	return &damagedError{path: path, copy: name, copyErr: err, cause: cause}
}

// keepCopy copies path to path.damaged-<UTC time>, unless a copy with the
// same bytes is there already (a service restarting into the same damage
// makes one copy, not one per restart), and returns the copy's name.
func keepCopy(path string, now time.Time) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = src.Close() }()
	if name := findCopy(path, src); name != "" {
		return name, nil
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	base := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	dst, name, err := createNew(base)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", fmt.Errorf("copy %s to %s: %w", path, name, err)
	}
	return name, nil
}

// createNew creates base, or base-2, base-3, … if it exists, mode 0600.
func createNew(base string) (*os.File, string, error) {
	name := base
	for n := 2; ; n++ {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, os.ErrExist) || n > 100 {
			return f, name, err
		}
		name = fmt.Sprintf("%s-%d", base, n)
	}
}

// findCopy returns an earlier copy of src with the same bytes, or "".
func findCopy(path string, src *os.File) string {
	fi, err := src.Stat()
	if err != nil {
		return ""
	}
	dir, prefix := filepath.Dir(path), filepath.Base(path)+".damaged-"
	entries, _ := os.ReadDir(dir)
	for _, d := range entries {
		if !strings.HasPrefix(d.Name(), prefix) {
			continue
		}
		name := filepath.Join(dir, d.Name())
		if c, err := d.Info(); err == nil && c.Size() == fi.Size() && sameBytes(src, name) {
			return name
		}
	}
	return ""
}

// sameBytes reports whether the file at name holds exactly src's bytes.
func sameBytes(src *os.File, name string) bool {
	other, err := os.Open(name)
	if err != nil {
		return false
	}
	defer func() { _ = other.Close() }()
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return false
	}
	a, b := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		n, errA := io.ReadFull(src, a)
		m, errB := io.ReadFull(other, b)
		if n != m || !bytes.Equal(a[:n], b[:m]) {
			return false
		}
		if errA != nil || errB != nil {
			return errors.Is(errA, io.ErrUnexpectedEOF) || errors.Is(errA, io.EOF)
		}
	}
}
