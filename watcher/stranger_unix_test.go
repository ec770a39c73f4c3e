//go:build unix

package watcher

// strangerIDs is a user and group that own nothing in a test's folders.
func strangerIDs() ids { return ids{uid: 1 << 30, gid: 1 << 30} }
