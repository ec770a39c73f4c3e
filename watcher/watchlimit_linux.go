package watcher

import (
	"errors"
	"syscall"
)

// limitHelp tells, for an error that means a kernel limit on watching was
// reached, which limit it is and how to raise it; ok is false for any other
// error. inotify_add_watch fails with ENOSPC when the per-user watch limit
// is used up; inotify_init1 with EMFILE when the per-user instance limit or
// the process's open-file limit is, and with ENFILE when the system's file
// table is full.
func limitHelp(err error) (help string, ok bool) {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return watchLimitHelp, true
	case errors.Is(err, syscall.EMFILE):
		return instanceLimitHelp, true
	case errors.Is(err, syscall.ENFILE):
		return fileTableHelp, true
	}
	return "", false
}

const (
	watchLimitHelp = "inotify watch limit reached; raise it with " +
		"`sudo sysctl fs.inotify.max_user_watches=524288` (and persist it in /etc/sysctl.d/); " +
		"polling until restart"
	instanceLimitHelp = "too many inotify instances or open files (EMFILE); raise " +
		"fs.inotify.max_user_instances with `sudo sysctl fs.inotify.max_user_instances=1024` " +
		"(and persist it in /etc/sysctl.d/), or the open-file limit (LimitNOFILE= in the systemd unit, " +
		"`ulimit -n` for a foreground run), or set poll = true; polling until restart"
	fileTableHelp = "the system's open-file table is full (ENFILE); raise fs.file-max with sysctl " +
		"or close other programs, or set poll = true; polling until restart"
)
