//go:build !unix && !windows

package watcher

import "io/fs"

// dirDevice is unknown here.
func dirDevice(string, fs.FileInfo) uint64 { return 0 }
