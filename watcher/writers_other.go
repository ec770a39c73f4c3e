//go:build !linux && !windows

package watcher

// openWriters has no cheap, reliable answer on macOS and the BSDs: files
// there settle on size and mtime alone.
func openWriters(string, []candidate) []bool { return nil }

// writerCheck describes the open-writer check for Status: there is none, so
// no writer is seen, and the fix is a longer settle.
func (l *loop) writerCheck() (desc, fix string) { return "settle only", raiseSettle }

// seesOtherUsers does not matter where there is no check.
func seesOtherUsers() bool { return false }
