//go:build unix

package fileid

import (
	"os"
	"syscall"
)

func of(_ *os.File, fi os.FileInfo) (ID, bool) { return fromInfo(fi) }

func statID(_ string, fi os.FileInfo) (ID, bool, error) {
	id, ok := fromInfo(fi)
	return id, ok, nil
}

func fromInfo(fi os.FileInfo) (ID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ID{}, false
	}
	id := ID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
	return id, !id.IsZero()
}
