package afterupload

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/odailies/odailies-uploader/internal/fileid"
	"github.com/odailies/odailies-uploader/queue"
)

// errCrossDevice is what renameNoReplace returns when src and dst are on
// different volumes.
var errCrossDevice = errors.New("not on the same volume")

// move moves the file at src (checked: the version uploaded) to the
// after-upload folder under rel, never over another file.
func (a *Actor) move(p queue.PendingAction, src, rel string) queue.ActResult {
	base := filepath.Join(a.o.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return failed(err)
	}
	names := candidates(base)
	for i, name := range names {
		fi, err := os.Lstat(name)
		switch {
		case err == nil:
			if a.isOurs(p, name, fi) { // moved or copied by a try a crash kept from being recorded
				return a.removeSource(p, src, name)
			}
			continue // another file: never overwritten
		case !errors.Is(err, fs.ErrNotExist):
			return failed(err)
		}
		switch err := renameNoReplace(src, name); {
		case err == nil:
			syncDir(filepath.Dir(name))
			syncDir(filepath.Dir(src))
			a.confirm(p, name)
			return done(a.shown(name))
		case errors.Is(err, fs.ErrExist):
			continue // taken since the lstat
		case errors.Is(err, errCrossDevice):
			return a.copyMove(p, src, names[i:])
		default:
			return failed(err)
		}
	}
	return failed(fmt.Errorf("every name from %s to %s is taken: move some files out of %s",
		filepath.Base(names[0]), filepath.Base(names[len(names)-1]), filepath.Dir(base)))
}

// confirm checks the moved file is the one uploaded (a rename keeps its
// identity); a file swapped in between the check and the rename is
// logged, not undone: it is kept, only filed in the wrong place.
func (a *Actor) confirm(p queue.PendingAction, name string) {
	id, _, ok, err := fileid.Stat(name)
	if err == nil && ok && id != fileid.FromBytes(p.FileID[:]) {
		a.log.Warn("the file moved is not the one uploaded: it was replaced during the move", "path", p.Path, "to", a.shown(name))
	}
}

// copyMove moves src to another volume: a copy under a partial name,
// fsynced and read back, put in place under the first free name of names,
// then the original removed once it is checked to be unchanged.
func (a *Actor) copyMove(p queue.PendingAction, src string, names []string) queue.ActResult {
	dir := filepath.Dir(names[0])
	tmp := filepath.Join(dir, "."+filepath.Base(names[0])+".odailies-partial")
	sum, err := copyFile(src, tmp, p)
	if err == nil && p.MD5 != "" && sum != p.MD5 {
		os.Remove(tmp)
		return skipped("its content changed since its upload (MD5 %s, uploaded %s); its new version is uploaded as usual", sum, p.MD5)
	}
	if err == nil {
		if back, rerr := md5File(tmp); rerr != nil || back != sum {
			err = cmpOr(rerr, fmt.Errorf("the copy at %s does not read back as written (MD5 %s, wrote %s): check that volume", tmp, back, sum))
		}
	}
	if err != nil {
		os.Remove(tmp)
		return failed(err)
	}
	for _, name := range names {
		switch err := renameNoReplace(tmp, name); {
		case err == nil:
			syncDir(dir)
			return a.removeSource(p, src, name)
		case errors.Is(err, fs.ErrExist):
			continue
		default:
			os.Remove(tmp)
			return failed(err)
		}
	}
	os.Remove(tmp)
	return failed(fmt.Errorf("every name from %s to %s is taken: move some files out of %s",
		filepath.Base(names[0]), filepath.Base(names[len(names)-1]), dir))
}

// removeSource removes the original once its copy (or hard link) is at
// name, if it is still the version uploaded.
func (a *Actor) removeSource(p queue.PendingAction, src, name string) queue.ActResult {
	id, fi, ok, err := fileid.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return done(a.shown(name))
	case err != nil:
		return failed(err)
	}
	if r, bad := check(p, id, fi, ok); bad {
		r.Reason += fmt.Sprintf("; a copy of the version uploaded is at %s", a.shown(name))
		return r
	}
	if err := os.Remove(src); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return failed(err)
	}
	syncDir(filepath.Dir(src))
	return done(a.shown(name))
}

// copyFile copies src to dst (created or truncated) with src's mode and
// p's modification time, fsynced; it returns the MD5 of the bytes read.
func copyFile(src, dst string, p queue.PendingAction) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm()|0o200)
	if err != nil {
		return "", err
	}
	h := md5.New()
	_, err = io.Copy(out, io.TeeReader(in, h))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(dst, p.ModTime, p.ModTime)
	}
	if err != nil {
		return "", fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func md5File(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncDir makes a rename or removal in dir durable where the OS allows
// it; a failure is no reason to undo the move.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
