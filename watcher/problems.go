package watcher

import (
	"log/slog"
	"maps"
	"slices"
	"strings"
)

// problemKind says what clears a problem.
type problemKind uint8

const (
	deniedFile problemKind = iota // the file's next open check passes, or it is forgotten
	deniedDir                     // the folder is read, or a full scan no longer meets it
	clash                         // a full scan of its folder finds one spelling only
)

type problem struct {
	text string
	kind problemKind
	gen  int // the full scan that last met it (deniedDir, clash)
}

// problems holds every current problem by NFC path. All of them are kept;
// Status lists the first MaxProblems, and only those are logged, one
// warning each when it appears.
type problems struct {
	m        map[string]problem
	clashes  int  // how many are of kind clash, so events skip the lookups without any
	gen      int  // the full scan in progress, or the last one
	dirty    bool // changed since the last snapshot
	overflow bool // the "more problems" warning was logged
	log      *slog.Logger
}

func newProblems(log *slog.Logger) *problems {
	return &problems{m: make(map[string]problem), log: log}
}

// add records a problem, logging it if it is new and listed.
func (p *problems) add(path string, kind problemKind, text string) {
	old, ok := p.m[path]
	p.m[path] = problem{text: text, kind: kind, gen: p.gen}
	if ok && old.text == text && old.kind == kind {
		return
	}
	if ok && old.kind == clash {
		p.clashes--
	}
	if kind == clash {
		p.clashes++
	}
	p.dirty = true
	switch n := len(p.m); {
	case ok:
	case n <= MaxProblems:
		p.log.Warn("file or folder held back", "path", path, "problem", text)
	case !p.overflow:
		p.overflow = true
		p.log.Warn("more files and folders held back than status lists", "listed", MaxProblems)
	}
}

func (p *problems) drop(path string) {
	old, ok := p.m[path]
	if !ok {
		return
	}
	if old.kind == clash {
		p.clashes--
	}
	if len(p.m) <= MaxProblems {
		p.log.Info("file or folder no longer held back", "path", path)
	}
	delete(p.m, path)
	p.dirty = true
	if len(p.m) < MaxProblems {
		p.overflow = false
	}
}

// dropUnder drops the problems of dir and everything below it.
func (p *problems) dropUnder(dir string) {
	for path := range p.m {
		if underAny(path, []string{dir}) {
			p.drop(path)
		}
	}
}

// sweep drops, after a full scan, the folder and clash problems under the
// scanned dirs that the scan did not meet again.
func (p *problems) sweep(scanned []string) {
	for path, pr := range p.m {
		if pr.kind != deniedFile && pr.gen != p.gen && underAny(path, scanned) {
			p.drop(path)
		}
	}
}

// clashAt reports whether path or a folder above it is one of two names
// that clash.
func (p *problems) clashAt(path string) bool {
	if p.clashes == 0 {
		return false
	}
	for {
		if pr, ok := p.m[path]; ok && pr.kind == clash {
			return true
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// snapshot lists the first MaxProblems by path and counts the rest.
func (p *problems) snapshot() ([]Problem, int) {
	p.dirty = false
	keys := slices.Sorted(maps.Keys(p.m))
	more := max(len(keys)-MaxProblems, 0)
	out := make([]Problem, 0, len(keys)-more)
	for _, k := range keys[:len(keys)-more] {
		out = append(out, Problem{Path: k, Problem: p.m[k].text})
	}
	return out, more
}
