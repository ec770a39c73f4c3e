//go:build windows

package fileid

import (
	"os"
	"syscall"

	"github.com/odailies/odailies-uploader/internal/longpath"
)

// of reads the volume serial number and file index from the handle:
// os.FileInfo keeps them unexported.
func of(f *os.File, _ os.FileInfo) (ID, bool) {
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(syscall.Handle(f.Fd()), &d); err != nil {
		return ID{}, false
	}
	id := ID{Dev: uint64(d.VolumeSerialNumber), Ino: uint64(d.FileIndexHigh)<<32 | uint64(d.FileIndexLow)}
	return id, !id.IsZero()
}

// statID opens the file to read its identity. The open shares reading,
// writing and deleting, so it never gets in a writer's way.
func statID(path string, _ os.FileInfo) (ID, bool, error) {
	p, err := syscall.UTF16PtrFromString(longpath.Extended(path))
	if err != nil {
		return ID{}, false, err
	}
	h, err := syscall.CreateFile(p, 0, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_FLAG_BACKUP_SEMANTICS|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return ID{}, false, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.CloseHandle(h)
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &d); err != nil {
		return ID{}, false, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	id := ID{Dev: uint64(d.VolumeSerialNumber), Ino: uint64(d.FileIndexHigh)<<32 | uint64(d.FileIndexLow)}
	return id, !id.IsZero(), nil
}
