package uploader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/queue"
)

// hintRegular is the fix offered when a job's path is no regular file.
const hintRegular = "only regular files are uploaded: put the file itself at this path " +
	"(not a link, pipe, socket, device or folder), then run 'odailies-uploader retry'"

// localPath maps a job to the file to open under Root: its disk spelling
// (Job.Disk, exactly as the watcher found it on disk), or its Path when
// that is empty. The Path stays the name at the server. Both are checked
// (checkRel), and a disk spelling must be the Path's name in another
// Unicode form (its NFC is the Path), so no record can send one file's
// bytes under another file's name.
func (u *Uploader) localPath(job queue.Job) (string, error) {
	if err := checkRel(job.Path); err != nil {
		return "", err
	}
	rel := job.Path
	if job.Disk != "" && job.Disk != job.Path {
		if err := checkRel(job.Disk); err != nil {
			return "", fmt.Errorf("disk spelling of %q: %w", job.Path, err)
		}
		if norm.NFC.String(job.Disk) != job.Path {
			return "", fmt.Errorf("refusing disk path %q for job path %q: not the same name", job.Disk, job.Path)
		}
		rel = job.Disk
	}
	return filepath.Join(u.o.Root, filepath.FromSlash(rel)), nil
}

// checkRel refuses a slash path that could leave Root, and names holding a
// backslash (backslashError).
func checkRel(rel string) error {
	if strings.Contains(rel, "\\") && runtime.GOOS != "windows" {
		return &backslashError{rel: rel}
	}
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") || filepath.IsAbs(rel) {
		return fmt.Errorf("refusing job path %q: not a relative slash-separated path", rel)
	}
	for _, seg := range strings.Split(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("refusing job path %q: empty, '.' or '..' segment", rel)
		}
	}
	if path.Clean(rel) != rel {
		return fmt.Errorf("refusing job path %q: not clean", rel)
	}
	return nil
}

// backslashError is a job path holding a backslash, on a system where
// it is an ordinary character of a file name (Linux, macOS; on Windows it
// is the separator, and job paths use slashes). It cannot be sent: the
// API client (odailies.EscapePath) turns "\" into "/", Windows's
// separator, so the file would be signed under a folder it is not in,
// and a name holding one cannot be made on Windows.
type backslashError struct{ rel string }

func (e *backslashError) Error() string {
	// Quoted by hand: %q would double the backslash it is about.
	return `refusing job path "` + strings.ToValidUTF8(e.rel, "?") + `": a backslash in a file name ` +
		"cannot be sent as a path segment on every platform: rename the file"
}

// pathHint is the fix offered for a job path localPath refused.
func pathHint(err error) string {
	var be *backslashError
	if errors.As(err, &be) {
		return hintBackslash
	}
	return hintPath
}

// hintBackslash is the fix offered for a name holding a backslash.
const hintBackslash = "rename the file without the backslash; the new name is queued and uploaded as usual"

// open opens the file and checks it is still the version the job names.
// The path is looked at (lstat) before it is opened, and opened so that
// nothing can block (openRegular): a named pipe put where a clip was must
// end its job, not hold a worker forever.
func (u *Uploader) open(local string, job queue.Job) (*os.File, outcome, bool) {
	fi, err := os.Lstat(local)
	if err == nil {
		if o, ok := u.check(fi, job); ok {
			return nil, o, false
		}
		var f *os.File
		if f, err = openRegular(local); err == nil {
			return u.opened(f, job)
		}
	}
	return nil, u.openFailed(local, job, err), false
}

// opened checks the open file against the job (fstat: the path may have
// been swapped since the lstat).
func (u *Uploader) opened(f *os.File, job queue.Job) (*os.File, outcome, bool) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, u.transient(job, fmt.Errorf("stat: %w", err)), false
	}
	if o, ok := u.check(fi, job); ok {
		f.Close()
		return nil, o, false
	}
	return f, outcome{}, true
}

// openFailed sorts an error of lstat or open: no file is gone, a file
// that is not a regular one fails the job, anything else is transient.
func (u *Uploader) openFailed(local string, job queue.Job, err error) outcome {
	var nr *notRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return gone("no such file")
	case errors.As(err, &nr):
		return fail(nr.Error(), hintRegular)
	}
	// open refuses some kinds itself (a symlink with O_NOFOLLOW, a
	// socket): look again to say which.
	if fi, lerr := os.Lstat(local); lerr == nil && !fi.Mode().IsRegular() {
		return fail(notRegular(fi.Mode()).Error(), hintRegular)
	}
	return u.transient(job, fmt.Errorf("open: %w", err))
}

// check compares the file with the job, returning the outcome that ends
// the job if they differ or the file cannot be sent.
func (u *Uploader) check(fi fs.FileInfo, job queue.Job) (outcome, bool) {
	switch {
	case !fi.Mode().IsRegular():
		return fail(notRegular(fi.Mode()).Error(), hintRegular), true
	case fi.Size() != job.Size || !fi.ModTime().Equal(job.ModTime):
		return changed(fmt.Sprintf("now %d bytes, modified %s", fi.Size(), fi.ModTime().UTC().Format("2006-01-02T15:04:05.000Z07:00"))), true
	case job.Size > u.o.MaxPutSize:
		return fail(fmt.Sprintf("%d bytes is larger than the %s single-upload limit", job.Size, units.Exact(u.o.MaxPutSize)), hintSize), true
	}
	return outcome{}, false
}

// restat looks at the path after the PUT (lstat: a link put there
// meanwhile is not the file that was sent): gone or changed beats the
// PUT's own outcome.
func (u *Uploader) restat(local string, job queue.Job) (outcome, bool) {
	fi, err := os.Lstat(local)
	if errors.Is(err, fs.ErrNotExist) {
		return gone("removed during upload"), true
	}
	if err != nil {
		return outcome{}, false
	}
	return u.check(fi, job)
}

// notRegularError is a path that holds something other than a regular
// file; its text names what ("not a regular file: a named pipe").
type notRegularError struct{ what string }

func (e *notRegularError) Error() string { return "not a regular file: " + e.what }

func notRegular(m fs.FileMode) *notRegularError { return &notRegularError{what: fileKind(m)} }

// fileKind names the type of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	}
	return "an irregular file (" + m.Type().String() + ")"
}
