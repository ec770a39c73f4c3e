package watcher

import (
	"errors"
	"syscall"
)

// isWatchLimit reports the inotify "no space" error: the per-user limit on
// watches (fs.inotify.max_user_watches) is used up.
func isWatchLimit(err error) bool { return errors.Is(err, syscall.ENOSPC) }

const watchLimitHelp = "inotify watch limit reached; raise it with " +
	"`sudo sysctl fs.inotify.max_user_watches=524288` (and persist it in /etc/sysctl.d/); " +
	"polling until restart"
