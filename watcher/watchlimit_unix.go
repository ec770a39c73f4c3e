//go:build unix && !linux

package watcher

import (
	"errors"
	"syscall"
)

// limitHelp tells, for an error that means the open-file limit was reached,
// which limit it is and how to raise it; ok is false for any other error.
// kqueue (macOS, the BSDs) holds a descriptor for every watched file and
// folder, so a big tree runs into EMFILE (the process's limit) or ENFILE
// (the system's) while watches are added or while new files are picked up.
func limitHelp(err error) (help string, ok bool) {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		return openFilesHelp, true
	}
	return "", false
}

const openFilesHelp = "too many open files: kqueue holds a descriptor for every watched file and folder; " +
	"raise the limit (NumberOfFiles under both SoftResourceLimits and HardResourceLimits in the " +
	"LaunchDaemon plist, `ulimit -n` for a foreground run, and if needed sysctl kern.maxfiles and " +
	"kern.maxfilesperproc), or set poll = true; polling until restart"
