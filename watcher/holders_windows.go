package watcher

import "path/filepath"

// holdersOf opens the file with a share mode that denies writers: a
// sharing violation says it is held, by whom Windows does not say here.
func holdersOf(root, rel string, _ uint64) Holders {
	held := heldForWriting(filepath.Join(root, filepath.FromSlash(rel)))
	return Holders{Known: true, Held: held, SeesAll: true}
}

// writersUnder cannot list: Windows says only whether one file is held.
func writersUnder(string) (map[string][]Writer, bool, bool) { return nil, false, true }
