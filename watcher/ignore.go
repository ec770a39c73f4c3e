package watcher

import (
	"fmt"
	"path"
	"strings"
)

// rules decide which names are eligible. A glob without "/" matches the base
// name; a glob with "/" matches the whole slash-separated path relative to
// the root ("_graded/*/A*.mov"). Both use path.Match.
type rules struct {
	include []string
	exclude []string
}

func newRules(include, exclude []string) (rules, error) {
	for _, list := range [][]string{include, exclude} {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return rules{}, fmt.Errorf("bad glob %q: %w", p, path.ErrBadPattern)
			}
		}
	}
	return rules{include: include, exclude: exclude}, nil
}

// junkSuffixes are temporary or partial download names, compared without
// regard to case.
var junkSuffixes = [...]string{".tmp", ".part", ".crdownload", ".partial"}

// isJunk reports the built-in rules: dotfiles (so also AppleDouble "._*" and
// ".DS_Store"), "~*" lock and backup files, Thumbs.db, desktop.ini and
// temporary or partial names.
func isJunk(base string) bool {
	if base == "" || base[0] == '.' || base[0] == '~' {
		return true
	}
	lower := strings.ToLower(base)
	if lower == "thumbs.db" || lower == "desktop.ini" {
		return true
	}
	for _, s := range junkSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

func matchAny(globs []string, rel, base string) bool {
	for _, g := range globs {
		name := base
		if strings.Contains(g, "/") {
			name = rel
		}
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// skipDir reports whether a folder is left out: hidden folders and folders
// matched by an exclude glob. Include globs never apply to folders.
func (r rules) skipDir(rel, base string) bool {
	return base == "" || base[0] == '.' || matchAny(r.exclude, rel, base)
}

// skipFile reports whether a regular file is left out.
func (r rules) skipFile(rel, base string) bool {
	if isJunk(base) || matchAny(r.exclude, rel, base) {
		return true
	}
	return len(r.include) > 0 && !matchAny(r.include, rel, base)
}

// skipPath reports whether the file at rel (below the watched dir top) is
// left out, by its own name or by any folder on the way to it.
func (r rules) skipPath(top, rel string) bool {
	dir, base := r.parent(top, rel)
	return dir || r.skipFile(rel, base)
}

// skipDirPath is skipPath for a folder.
func (r rules) skipDirPath(top, rel string) bool {
	dir, base := r.parent(top, rel)
	return dir || r.skipDir(rel, base)
}

// parent applies skipDir to every folder between top and the last element
// of rel, and returns that last element.
func (r rules) parent(top, rel string) (skip bool, base string) {
	at := len(top) + 1
	if len(rel) <= at {
		return false, rel
	}
	for {
		i := strings.IndexByte(rel[at:], '/')
		if i < 0 {
			return false, rel[at:]
		}
		if r.skipDir(rel[:at+i], rel[at:at+i]) {
			return true, ""
		}
		at += i + 1
	}
}
