package watcher

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// limitHelp tells, for an error that means the handle limit was reached,
// what to do; ok is false for any other error. ReadDirectoryChangesW holds
// one handle per watched folder, so this takes a very large tree.
func limitHelp(err error) (help string, ok bool) {
	if errors.Is(err, windows.ERROR_TOO_MANY_OPEN_FILES) || errors.Is(err, syscall.EMFILE) {
		return openHandlesHelp, true
	}
	return "", false
}

const openHandlesHelp = "too many open handles to watch every folder; set poll = true, " +
	"or watch fewer folders; polling until restart"
