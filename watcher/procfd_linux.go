package watcher

func procWriters(proc string, cands []candidate) []bool { return nil }
