package afterupload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"syscall"
)

// withFix words an action's error for the status: what failed, and what
// to do about it.
func withFix(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%v: %s", err, permissionFix(err))
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Sprintf("%v: free space on that volume; the action is tried again by itself", err)
	case errors.Is(err, syscall.EROFS):
		return fmt.Sprintf("%v: the volume is read-only: mount it read-write, or set watch.after_upload = \"keep\"", err)
	}
	return fmt.Sprintf("%v: the action is tried again by itself", err)
}

// permissionFix names the folder the daemon's user must be able to write
// to, and how to allow it.
func permissionFix(err error) string {
	dir := "the folder"
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		dir = filepath.Dir(pe.Path)
		if fi, serr := os.Lstat(pe.Path); serr == nil && fi.IsDir() {
			dir = pe.Path
		}
	case errors.As(err, &le):
		dir = filepath.Dir(le.Old) + " and " + filepath.Dir(le.New)
	}
	name := "the service's user"
	if u, uerr := user.Current(); uerr == nil {
		name = u.Username
	}
	if runtime.GOOS == "windows" {
		return fmt.Sprintf("%s needs Modify on %s (icacls \"<folder>\" /grant \"%s:(OI)(CI)M\"); the action is tried again by itself", name, dir, name)
	}
	return fmt.Sprintf("%s needs write access to %s to move or delete files there: sudo setfacl -m u:%s:rwX <folder> "+
		"(and sudo setfacl -d -m u:%s:rwX <folder> for folders made later), or make it the folders' group; the action is tried again by itself",
		name, dir, name, name)
}
