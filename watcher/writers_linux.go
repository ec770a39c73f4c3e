package watcher

// openWriters finds candidates held open for writing by walking /proc once.
func openWriters(root string, cands []candidate) []bool { return procWriters("/proc", root, cands) }
