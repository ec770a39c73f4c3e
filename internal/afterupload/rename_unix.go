//go:build !windows

package afterupload

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// linkRename renames without replacing by a hard link and a removal of
// the old name. Where the file system has no hard links either, a free
// name is checked and a plain rename made (doc.go, Hazards).
func linkRename(src, dst string) error {
	err := os.Link(src, dst)
	switch {
	case err == nil:
		return os.Remove(src)
	case errors.Is(err, fs.ErrExist):
		return err
	case errors.Is(err, syscall.EXDEV):
		return errCrossDevice
	}
	if _, lerr := os.Lstat(dst); lerr == nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	}
	if err := os.Rename(src, dst); errors.Is(err, syscall.EXDEV) {
		return errCrossDevice
	} else {
		return err
	}
}
