package afterupload

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"

	"github.com/odailies/odailies-uploader/internal/longpath"
)

// renameNoReplace renames src to dst unless dst exists (an error
// matching fs.ErrExist); errCrossDevice when they are on other volumes.
// MoveFileEx without MOVEFILE_REPLACE_EXISTING never replaces, and
// without MOVEFILE_COPY_ALLOWED never copies.
func renameNoReplace(src, dst string) error {
	from, err := windows.UTF16PtrFromString(longpath.Extended(src))
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(longpath.Extended(dst))
	if err != nil {
		return err
	}
	err = windows.MoveFileEx(from, to, 0)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, windows.ERROR_NOT_SAME_DEVICE):
		return errCrossDevice
	case errors.Is(err, windows.ERROR_ALREADY_EXISTS), errors.Is(err, windows.ERROR_FILE_EXISTS):
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: fs.ErrExist}
	}
	return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
}
