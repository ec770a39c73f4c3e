//go:build unix

package watcher

import (
	"io/fs"
	"syscall"
)

// fileID returns the device and inode of a file, used to find processes
// that hold it open.
func fileID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino) //nolint:unconvert // widths differ per OS
	}
	return 0, 0
}
