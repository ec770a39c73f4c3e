//go:build unix

package e2e

import (
	"io/fs"
	"syscall"
)

// fileUID is the owner of the file fi describes.
func fileUID(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
