package watcher

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"
)

// What the watcher says of one path, for `why`: which ignore rule leaves
// it out (Ignored, from the rules alone, with or without Run), and what a
// running Run knows of it (Explain: settling, held open, held back as a
// problem, handed over, or not met yet).

// Ignore kinds: the rule that leaves a path out (Ignore.Kind).
const (
	IgnoreJunk           = "junk"            // a built-in junk name; Ignore.Glob names it (".*", "*.tmp"…)
	IgnoreExclude        = "exclude"         // an Options.Exclude glob (Ignore.Glob)
	IgnoreInclude        = "include"         // Options.Include is set and no glob matches
	IgnoreHiddenFolder   = "hidden-folder"   // a folder on the way starts with "." (Ignore.Folder)
	IgnoreExcludedFolder = "excluded-folder" // an exclude glob matches a folder on the way (Ignore.Folder, Ignore.Glob)
	IgnoreOutsideDirs    = "outside-dirs"    // in none of Options.Dirs
)

// Ignore is the rule that leaves a path out; Kind "" when none does.
type Ignore struct {
	Kind   string
	Glob   string // the glob (or built-in name) that matched
	Folder string // the folder on the way that is left out, relative to the root
}

// Ignored says which rule leaves rel out (slash-separated, relative to
// the root, NFC), judged as a folder when dir is set. A watched dir, and a
// folder above one, is never ignored. Symbolic links, devices and the like
// are the caller's to tell (the watcher never follows or emits them).
func (w *Watcher) Ignored(rel string, dir bool) Ignore {
	rel = strings.Trim(path.Clean("/"+rel), "/")
	top := ""
	for _, d := range w.opts.Dirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			top = d
			break
		}
		if dir && (rel == "" || strings.HasPrefix(d, rel+"/")) {
			return Ignore{} // holds a watched dir
		}
	}
	switch {
	case top == "":
		return Ignore{Kind: IgnoreOutsideDirs}
	case rel == top:
		if dir {
			return Ignore{}
		}
		return Ignore{Kind: IgnoreOutsideDirs} // a file where a watched folder should be
	}
	parts := strings.Split(rel[len(top)+1:], "/")
	at := top
	for i, p := range parts {
		at += "/" + p
		if i == len(parts)-1 && !dir {
			return w.rules.fileRule(at, p)
		}
		if p[0] == '.' {
			return Ignore{Kind: IgnoreHiddenFolder, Folder: at}
		}
		if g := matchGlob(w.rules.exclude, at, p); g != "" {
			return Ignore{Kind: IgnoreExcludedFolder, Glob: g, Folder: at}
		}
	}
	return Ignore{}
}

// fileRule is skipFile, saying which rule.
func (r rules) fileRule(rel, base string) Ignore {
	if g := junkName(base); g != "" {
		return Ignore{Kind: IgnoreJunk, Glob: g}
	}
	if g := matchGlob(r.exclude, rel, base); g != "" {
		return Ignore{Kind: IgnoreExclude, Glob: g}
	}
	if len(r.include) > 0 && matchGlob(r.include, rel, base) == "" {
		return Ignore{Kind: IgnoreInclude}
	}
	return Ignore{}
}

// junkName names the built-in rule isJunk applies to base; "" if none.
func junkName(base string) string {
	switch {
	case !isJunk(base):
		return ""
	case base == "" || base[0] == '.':
		return ".*"
	case base[0] == '~':
		return "~*"
	}
	lower := strings.ToLower(base)
	for _, s := range junkSuffixes {
		if strings.HasSuffix(lower, s) {
			return "*" + s
		}
	}
	return base // Thumbs.db, desktop.ini
}

// matchGlob is matchAny, returning the first glob that matches.
func matchGlob(globs []string, rel, base string) string {
	for _, g := range globs {
		name := base
		if strings.Contains(g, "/") {
			name = rel
		}
		if ok, _ := path.Match(g, name); ok {
			return g
		}
	}
	return ""
}

// Explanation is what a running Run knows of one path.
type Explanation struct {
	// Running is false when Run is not running: nothing below is known.
	Running bool
	// Tracked: Run knows the file (eligible and seen since it started).
	// Pending: not handed to Settled yet (settling, or held open).
	// Emitted: the version below was handed over.
	Tracked, Pending, Emitted bool
	Size                      int64
	ModTime                   time.Time
	Due                       time.Time // Pending: when it is looked at next
	OpenSince                 time.Time // Pending: when a writer was first seen holding it; zero if none
	// Writing: the inotify bookkeeping saw a write not yet closed.
	Writing bool
	// Problem is why the path is held back until fixed (Status.Problems):
	// its own problem, or that of the folder above it that cannot be read.
	Problem string
	// NextScan is when the next full scan is due.
	NextScan    time.Time
	Settle      time.Duration // Options.Settle
	WriterCheck string        // as Status.WriterCheck
	Mode        string        // as Status.Mode
}

// explainReq is one Explain call waiting for Run's answer.
type explainReq struct {
	rel   string
	reply chan Explanation
}

// Explain asks the running Run what it knows of rel (slash-separated,
// relative to the root, NFC). With Run not running it returns at once
// with Running false. It waits for Run's loop between two events (a
// scan in progress delays it) until ctx ends.
func (w *Watcher) Explain(ctx context.Context, rel string) (Explanation, error) {
	w.mu.Lock()
	alive := w.alive
	w.mu.Unlock()
	if alive == nil {
		return Explanation{Settle: w.opts.Settle}, nil
	}
	req := explainReq{rel: nfc(rel), reply: make(chan Explanation, 1)}
	select {
	case w.explain <- req:
	case <-alive:
		return Explanation{Settle: w.opts.Settle}, nil
	case <-ctx.Done():
		return Explanation{}, fmt.Errorf("ask the watcher about %s: %w", rel, ctx.Err())
	}
	select {
	case e := <-req.reply:
		return e, nil
	case <-ctx.Done():
		return Explanation{}, fmt.Errorf("ask the watcher about %s: %w", rel, ctx.Err())
	}
}

// setAlive marks Run as running (a channel closed when it returns) or,
// with nil, not.
func (w *Watcher) setAlive(c chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.alive = c
}

// explained answers one Explain call from Run's goroutine.
func (l *loop) explained(r explainReq) {
	check, _ := l.writerCheck()
	e := Explanation{Running: true, NextScan: l.nextScan, Settle: l.w.opts.Settle, WriterCheck: check, Mode: l.mode}
	if st := l.t.files[r.rel]; st != nil {
		e.Tracked, e.Pending, e.Emitted = true, st.idx >= 0, st.emitted
		e.Size, e.ModTime = st.size, time.Unix(0, st.mtime)
		if e.Pending {
			e.Due = time.Unix(0, max(st.due, l.nextCheck()))
		}
		if st.openSince != 0 {
			e.OpenSince = time.Unix(0, st.openSince)
		}
		e.Writing = l.book != nil && l.book.writingAt(l.abs(st.diskPath()))
	}
	for p := r.rel; p != "" && p != "."; p = path.Dir(p) {
		if pr, ok := l.probs.m[p]; ok {
			e.Problem = pr.text
			break
		}
	}
	r.reply <- e
}
