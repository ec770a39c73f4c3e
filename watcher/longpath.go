package watcher

import "strings"

// extendedPath is abs in the \\?\ form for the watcher's direct Windows
// calls (the open-writer check's CreateFile, the volume's), so that a file
// deep in a Resolve tree, past MAX_PATH, is checked like any other: on
// Windows before 10 1703 (Server 2016) nothing else lifts the limit for
// them, and a refused open would read as "no writer". The rules, and why,
// are internal/longpath's (its Extended); the watcher imports nothing of
// this module, so it keeps this copy, tested against the same cases.
func extendedPath(p string) string {
	if utf16Units(p) < 248 || strings.HasPrefix(p, `\\?\`) || strings.HasPrefix(p, `\??\`) || strings.HasPrefix(p, `\\.\`) {
		return p
	}
	q := strings.ReplaceAll(p, "/", `\`)
	var prefix, rest string
	switch {
	case len(q) >= 3 && (q[0]|0x20 >= 'a' && q[0]|0x20 <= 'z') && q[1] == ':' && q[2] == '\\':
		prefix, rest = `\\?\`, q
	case strings.HasPrefix(q, `\\`) && len(q) > 2 && q[2] != '\\':
		prefix, rest = `\\?\UNC\`, q[2:]
	default:
		return p
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

func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
