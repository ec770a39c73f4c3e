package watcher

// openWriters finds candidates held open for writing by walking /proc once.
func openWriters(cands []candidate) []bool { return procWriters("/proc", cands) }
