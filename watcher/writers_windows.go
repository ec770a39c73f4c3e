package watcher

import (
	"errors"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// openWriters tries to open each candidate with a share mode that denies
// writers. If some process has it open for writing, Windows refuses with a
// sharing violation: the file is still being written.
func openWriters(root string, cands []candidate) []bool {
	busy := make([]bool, len(cands))
	for i, c := range cands {
		busy[i] = heldForWriting(filepath.Join(root, filepath.FromSlash(c.rel)))
	}
	return busy
}

// writerCheck describes the open-writer check for Status. A sharing
// violation comes whoever the writer is, so nothing needs fixing.
func (l *loop) writerCheck() (desc, fix string) { return "share-mode open", "" }

// seesOtherUsers is moot: the share-mode open sees every writer.
func seesOtherUsers() bool { return true }

func heldForWriting(path string) bool {
	p, err := windows.UTF16PtrFromString(extendedPath(path))
	if err != nil {
		return false
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
	}
	_ = windows.CloseHandle(h)
	return false
}
