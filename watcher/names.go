package watcher

import (
	"io/fs"
	"os"
	"path"
	"slices"
)

// Names that are one name once normalised. The server knows a file by its
// NFC path, so "café.mov" spelled in NFC and "café.mov" spelled in NFD,
// side by side in one folder (possible on Linux and on shares, not on
// APFS or HFS+, which ignore the difference), would be one upload: neither
// is emitted, and the clash is a problem until one is renamed.

// clashKey keys files and folders apart: a file and a folder may share a
// name without any two uploads sharing a path.
func clashKey(dir bool, nname string) string {
	if dir {
		return nname + "/"
	}
	return nname
}

// clashes returns the spellings of each name that two or more entries of
// one folder share once normalised, by clashKey; nil when there are none.
// Only a name that is not NFC can clash, and only a non-ASCII name can be
// not NFC, so a folder of ASCII names costs one pass over the bytes.
func clashes(entries []fs.DirEntry) map[string][]string {
	var odd map[string]bool // clash keys of names not in NFC
	for _, e := range entries {
		n := e.Name()
		if isASCII(n) || !eligibleType(e) {
			continue
		}
		if nn := nfc(n); nn != n {
			if odd == nil {
				odd = make(map[string]bool)
			}
			odd[clashKey(e.IsDir(), nn)] = true
		}
	}
	if odd == nil {
		return nil
	}
	spell := make(map[string][]string)
	for _, e := range entries {
		if eligibleType(e) {
			if k := clashKey(e.IsDir(), nfc(e.Name())); odd[k] {
				spell[k] = append(spell[k], e.Name())
			}
		}
	}
	for k, s := range spell {
		if len(s) < 2 {
			delete(spell, k)
		}
	}
	if len(spell) == 0 {
		return nil
	}
	return spell
}

func eligibleType(e fs.DirEntry) bool { return e.Type().IsDir() || e.Type().IsRegular() }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// held reports whether the entry named nname clashes, and holds it back if
// so. Folders without a clash (nil) cost nothing.
func (l *loop) held(clash map[string][]string, dir bool, nrel, nname string, wk *walk) bool {
	if clash == nil {
		return false
	}
	sp := clash[clashKey(dir, nname)]
	if sp == nil {
		return false
	}
	l.clashFound(nrel, dir, sp, wk)
	return true
}

// clashFound holds back the names that clash at nrel: files there, or
// everything under folders there, count as present but are not emitted.
func (l *loop) clashFound(nrel string, dir bool, spellings []string, wk *walk) {
	l.probs.add(nrel, clash, clashText(nrel, dir, spellings))
	if !dir {
		l.t.forget(nrel)
		if wk.seen != nil {
			wk.seen[nrel] = struct{}{}
		}
		return
	}
	if !slices.Contains(wk.failed, nrel) {
		wk.failed = append(wk.failed, nrel)
		l.t.forgetUnder(nrel)
	}
}

// twin reports whether an event's file at rel (NFC nrel) has a twin: a
// tracked file of the same NFC path under another spelling that is still
// there and is another file. A twin found is a clash; the old spelling
// gone, or the same file under both (a file system that ignores
// normalisation), is not.
func (l *loop) twin(rel, nrel string, info fs.FileInfo) bool {
	st := l.t.files[nrel]
	if st == nil || st.diskPath() == rel {
		return false
	}
	other, err := os.Lstat(l.abs(st.diskPath()))
	if err != nil || os.SameFile(other, info) {
		return false
	}
	l.t.forget(nrel)
	l.probs.add(nrel, clash, clashText(nrel, false, []string{path.Base(st.diskPath()), path.Base(rel)}))
	return true
}

// dirTwin reports whether a folder that appeared (an event) has a twin in
// another spelling beside it, and holds both back if so. Only a non-ASCII
// name can be the odd one; the parent is read for those alone.
func (l *loop) dirTwin(rel, nrel string, wk *walk) bool {
	if isASCII(path.Base(rel)) {
		return false
	}
	entries, err := l.w.readDir(l.abs(path.Dir(rel)))
	if err != nil {
		return false
	}
	sp := clashes(entries)[clashKey(true, path.Base(nrel))]
	if sp == nil {
		return false
	}
	l.clashFound(nrel, true, sp, wk)
	return true
}
