// Package longpath gives the \\?\ form of long Windows paths, for the calls
// this program makes to Windows directly (CreateFile, MoveFileEx) rather
// than through package os.
//
// # Why
//
// Windows refuses a classic path of MAX_PATH (260) characters or more
// unless the process is long-path aware and the machine has long paths
// enabled. Go's os package takes care of its own calls: since Go 1.23 the
// runtime marks the process long-path aware on Windows 10 1703 and later,
// and on older systems (Windows Server 2016 is 1607) os adds \\?\ itself.
// A direct call gets neither on those older systems, and a deep DaVinci
// Resolve tree passes 260 characters easily; in the \\?\ form every
// Windows since XP takes up to 32,767.
//
// # Hazards
//
// The \\?\ form turns off Windows's own path parsing: "/" is not a
// separator there and "." and ".." are names. Extended only prefixes a
// path it can hand over safely (absolute, backslashes, no "." or ".."
// element) and leaves any other as it was. One name still may not pass
// 255 characters; nothing lifts that.
//
// The watcher keeps its own copy of Extended (it imports nothing of this
// module's packages); the tests of both hold them to the same cases.
package longpath

import "strings"

// From is the length, in UTF-16 units, from which Extended prefixes: as Go's
// os package, MAX_PATH less 12 (room for an 8.3 name, as CreateDirectory
// needs).
const From = 248

// Extended returns p in the \\?\ form when p is a long absolute Windows
// path (C:\… or \\server\share\…), else p unchanged.
func Extended(p string) string {
	if utf16Len(p) < From || strings.HasPrefix(p, `\\?\`) || strings.HasPrefix(p, `\??\`) || strings.HasPrefix(p, `\\.\`) {
		return p
	}
	q := strings.ReplaceAll(p, "/", `\`)
	var prefix, rest string
	switch {
	case len(q) >= 3 && isLetter(q[0]) && q[1] == ':' && q[2] == '\\':
		prefix, rest = `\\?\`, q
	case strings.HasPrefix(q, `\\`) && len(q) > 2 && q[2] != '\\':
		prefix, rest = `\\?\UNC\`, q[2:]
	default:
		return p // relative, or drive-relative (C:foo): Windows must resolve it
	}
	for _, el := range strings.Split(rest, `\`) {
		if el == "." || el == ".." {
			return p
		}
	}
	for strings.Contains(rest, `\\`) {
		rest = strings.ReplaceAll(rest, `\\`, `\`)
	}
	return prefix + rest
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// utf16Len is the length of s in UTF-16 code units, as Windows counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
