//go:build !unix && !windows

package watcher

// limitHelp knows no watch limits on this system.
func limitHelp(error) (string, bool) { return "", false }
