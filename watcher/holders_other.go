//go:build !linux && !windows

package watcher

// holdersOf cannot tell on macOS and the BSDs (no cheap, reliable look;
// see writers_other.go): settle alone decides there.
func holdersOf(string, string, uint64) Holders { return Holders{} }

// writersUnder cannot tell on macOS and the BSDs.
func writersUnder(string) (map[string][]Writer, bool, bool) { return nil, false, false }
