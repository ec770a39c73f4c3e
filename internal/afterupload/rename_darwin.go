package afterupload

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames src to dst unless dst exists (an error
// matching fs.ErrExist); errCrossDevice when they are on other volumes.
func renameNoReplace(src, dst string) error {
	err := unix.RenamexNp(src, dst, unix.RENAME_EXCL)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EXDEV):
		return errCrossDevice
	case errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOTSUP):
		return linkRename(src, dst)
	}
	return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
}
