package watcher

// openWriters is filled in by the /proc walk (procfd_linux.go).
func openWriters(cands []candidate) []bool { return procWriters("/proc", cands) }
