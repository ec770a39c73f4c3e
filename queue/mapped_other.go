//go:build !linux

package queue

// adviseDontNeed does nothing where the pages' drop is not known to be
// harmless for a shared file map.
func adviseDontNeed(addr, n uintptr) {}
