//go:build !linux

package watcher

// isWatchLimit is Linux-only: other systems have no inotify watch limit.
func isWatchLimit(error) bool { return false }

const watchLimitHelp = "too many folders to watch; polling until restart"
