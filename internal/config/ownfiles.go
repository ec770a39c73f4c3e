package config

import (
	"path/filepath"
	"strings"
)

// checkOwnFilesOutside refuses a state.dir or log.file inside a watched
// folder: the daemon would upload its own queue, status and log, again
// at every rewrite.
func (l *loader) checkOwnFilesOutside(cfg *Config, w WatchConfig) {
	if w.Root == "" {
		return
	}
	own := []struct{ key, path string }{{"state.dir", cfg.State.Dir}}
	if cfg.Log.File != "-" {
		own = append(own, struct{ key, path string }{"log.file", cfg.Log.File})
	}
	for _, o := range own {
		for _, d := range w.Dirs {
			dir := filepath.Join(w.Root, filepath.FromSlash(d))
			if within(o.path, dir) {
				l.errf(o.key, "%s is inside the watched folder %s (watch.root + watch.dirs): the daemon would upload its own files; move %s outside watch.root",
					o.path, dir, o.key)
				break
			}
		}
	}
}

// within reports whether p is dir or below it, comparing cleaned
// absolute paths (case-insensitively where the file system usually is).
func within(p, dir string) bool {
	if p == "" || dir == "" {
		return false
	}
	p, dir = filepath.Clean(p), filepath.Clean(dir)
	if caseInsensitive {
		p, dir = strings.ToLower(p), strings.ToLower(dir)
	}
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
