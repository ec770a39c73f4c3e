//go:build !unix

package watcher

// strangerIDs: ids carries nothing where the OS has no uid and gid.
func strangerIDs() ids { return ids{} }
