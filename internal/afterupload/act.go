package afterupload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/internal/fileid"
	"github.com/odailies/odailies-uploader/queue"
)

func done(dest string) queue.ActResult { return queue.ActResult{State: queue.ActDone, Dest: dest} }

func skipped(format string, args ...any) queue.ActResult {
	return queue.ActResult{State: queue.ActSkipped, Reason: fmt.Sprintf(format, args...)}
}

func failed(err error) queue.ActResult {
	return queue.ActResult{State: queue.ActFailed, Reason: withFix(err)}
}

// act carries out one pending action and says how it ended.
func (a *Actor) act(p queue.PendingAction) queue.ActResult {
	if p.Action != a.o.Action {
		return skipped("watch.after_upload is %q now, not %q", a.o.Action, p.Action)
	}
	rel := p.Disk
	if rel == "" {
		rel = p.Path
	}
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return skipped("%q is not a path inside the watch root", rel)
	}
	src := filepath.Join(a.o.Root, filepath.FromSlash(rel))
	id, fi, ok, err := fileid.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return a.absent(p, rel)
	case err != nil:
		return failed(err)
	}
	if r, bad := check(p, id, fi, ok); bad {
		return r
	}
	a.forget(p)
	if p.Action == queue.ActionDelete {
		if err := os.Remove(src); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return failed(err)
		}
		return done("")
	}
	return a.move(p, src, rel)
}

// check compares the file at the path with the version uploaded; bad is
// true when it is not that version, with the result saying why.
func check(p queue.PendingAction, id fileid.ID, fi fs.FileInfo, ok bool) (queue.ActResult, bool) {
	switch {
	case !fi.Mode().IsRegular():
		return skipped("it is no longer a regular file"), true
	case fi.Size() != p.Size || !fi.ModTime().Equal(p.ModTime):
		return skipped("it changed since its upload (now %d bytes, modified %s); its new version is uploaded as usual",
			fi.Size(), fi.ModTime().UTC().Format("2006-01-02T15:04:05.000Z")), true
	case !ok:
		return skipped("the file system gives no file identity to check it is the file uploaded"), true
	case id != fileid.FromBytes(p.FileID[:]):
		return skipped("it was replaced since its upload by another file of the same size and time (identity %s, uploaded %s); its new version is uploaded as usual",
			id, fileid.FromBytes(p.FileID[:])), true
	}
	return queue.ActResult{}, false
}

// absent is the result for a file no longer at its path: deleted (by an
// action a crash kept from being recorded, or by hand) is done; a move
// already made is done when the file is found at the destination.
func (a *Actor) absent(p queue.PendingAction, rel string) queue.ActResult {
	if p.Action == queue.ActionDelete {
		return done("")
	}
	base := filepath.Join(a.o.Dir, filepath.FromSlash(rel))
	for _, name := range candidates(base) {
		fi, err := os.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			break // names are taken in order: none after a free one
		}
		if err == nil && a.isOurs(p, name, fi) {
			return done(a.shown(name))
		}
	}
	return skipped("it is no longer at %s, nor at %s", rel, a.shown(base))
}

// isOurs reports whether the file at name is the file p uploaded: the
// same identity (moved by rename), or the same size, modification time and
// MD5 (copied from another volume).
func (a *Actor) isOurs(p queue.PendingAction, name string, fi fs.FileInfo) bool {
	if !fi.Mode().IsRegular() || fi.Size() != p.Size || !fi.ModTime().Equal(p.ModTime) {
		return false
	}
	if id, _, ok, err := fileid.Stat(name); err == nil && ok && id == fileid.FromBytes(p.FileID[:]) {
		return true
	}
	if p.MD5 == "" {
		return false
	}
	sum, err := md5File(name)
	return err == nil && sum == p.MD5
}

// shown is a path as the log and status show it: relative to the watch
// root with "/" when inside it, else absolute.
func (a *Actor) shown(name string) string {
	if r, err := filepath.Rel(a.o.Root, name); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return name
}

func (a *Actor) forget(p queue.PendingAction) {
	if a.o.Forget != nil {
		a.o.Forget([]string{p.Path})
	}
}

// maxNames bounds the free names a move tries: "a.mov", then "a (2).mov"
// up to "a (100).mov".
const maxNames = 100

// candidates are the names a move may give a file at base, in order.
func candidates(base string) []string {
	dir, file := filepath.Split(base)
	ext := filepath.Ext(file)
	stem := strings.TrimSuffix(file, ext)
	if stem == "" { // ".mov": the whole name is the stem
		stem, ext = file, ""
	}
	out := []string{base}
	for i := 2; i <= maxNames; i++ {
		out = append(out, filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, i, ext)))
	}
	return out
}
