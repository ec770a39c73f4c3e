//go:build !unix

package e2e

import "io/fs"

// fileUID: files have no owning uid here.
func fileUID(fs.FileInfo) (int, bool) { return 0, false }
