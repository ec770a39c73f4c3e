package watcher

import (
	"io/fs"

	"golang.org/x/sys/windows"
)

// dirDevice is the serial number of the volume a watched dir is on, 0 when
// it cannot be had: one open of the folder per scan.
func dirDevice(abs string, _ fs.FileInfo) uint64 {
	p, err := windows.UTF16PtrFromString(extendedPath(abs))
	if err != nil {
		return 0
	}
	h, err := windows.CreateFile(p, 0, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return 0
	}
	defer windows.CloseHandle(h) //nolint:errcheck // read-only handle
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return 0
	}
	return uint64(info.VolumeSerialNumber)
}
