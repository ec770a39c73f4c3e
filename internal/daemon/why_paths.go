package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/why"
)

// whyTarget is one path resolved: the show (its index in cfg.Shows) and
// the absolute path; show -1 with the answer when no show holds it.
type whyTarget struct {
	show   int
	abs    string
	orphan why.Answer
}

// resolve finds the show that holds arg among shows: an absolute path by
// the root it is under (the deepest, when roots nest); a relative one from
// dir when that is under a root (unless only a root holds it), else under
// the only show, or the first show whose root holds it.
func resolve(cfg *config.Config, shows []config.Show, dir, arg string) whyTarget {
	abs := arg
	if !filepath.IsAbs(arg) && dir != "" {
		j := filepath.Join(dir, arg)
		if _, under := owner(shows, j); under && (exists(j) || !existsUnderRoot(shows, arg)) {
			abs = j
		}
	}
	if filepath.IsAbs(abs) {
		abs = filepath.Clean(abs)
		s, ok := owner(shows, abs)
		if !ok {
			// Through a link to a root (/Volumes/RAID → /mnt/raid): its
			// folder's links resolved; the name itself is kept, a link
			// being an answer of its own.
			if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
				abs = filepath.Join(dir, filepath.Base(abs))
				s, ok = owner(shows, abs)
			}
		}
		if !ok {
			return whyTarget{show: -1, orphan: outside(cfg, shows, arg, abs)}
		}
		return whyTarget{show: indexOf(cfg, s), abs: underRoot(s, abs)}
	}
	rel := filepath.Clean(arg)
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		a := why.Answer{Path: arg, State: why.Outside, Reason: "it climbs out of the root (" + roots(shows) + ")"}
		return whyTarget{show: -1, orphan: a}
	}
	if len(shows) == 1 {
		return whyTarget{show: indexOf(cfg, shows[0]), abs: filepath.Join(shows[0].Watch.Root, rel)}
	}
	for _, s := range shows {
		p := filepath.Join(s.Watch.Root, rel)
		if _, err := os.Lstat(p); err == nil {
			return whyTarget{show: indexOf(cfg, s), abs: p}
		}
	}
	a := why.Answer{Path: arg, State: why.Missing,
		Reason: "no show's root holds " + arg + " (" + roots(shows) + ")",
		Fix:    "give the absolute path, or name the show with -watch NAME"}
	return whyTarget{show: -1, orphan: a}
}

// outside answers a path under no show's root: in a show's
// after_upload_dir (outside the root), or simply outside.
func outside(cfg *config.Config, shows []config.Show, arg, abs string) why.Answer {
	for _, s := range shows {
		d := s.Watch.AfterUploadDir
		if s.Watch.AfterUpload == config.AfterUploadMove && d != "" && within(d, abs) {
			a := why.Answer{Path: arg, Abs: abs, State: why.Ignored,
				Reason: fmt.Sprintf("it is inside watch.after_upload_dir (%s), where uploaded files are moved; nothing there is uploaded", d),
				Rule:   &why.Rule{Kind: why.RuleAfterUploadDir, Folder: d}}
			if len(cfg.Shows) > 1 {
				a.Watch = s.Name
			}
			return a
		}
	}
	return why.Answer{Path: arg, Abs: abs, State: why.Outside, Reason: "it is under no show's root (" + roots(shows) + ")"}
}

// owner is the show whose root holds abs (the deepest root), by the root
// as written or with its symbolic links resolved.
func owner(shows []config.Show, abs string) (config.Show, bool) {
	best, depth := config.Show{}, -1
	for _, s := range shows {
		for _, r := range rootSpellings(s.Watch.Root) {
			if within(r, abs) && len(r) > depth {
				best, depth = s, len(r)
			}
		}
	}
	return best, depth >= 0
}

// underRoot is abs spelled under s's root as configured (a path given
// through the root's resolved links is spelled as the watcher knows it).
func underRoot(s config.Show, abs string) string {
	root := s.Watch.Root
	if within(root, abs) {
		return abs
	}
	for _, r := range rootSpellings(root) {
		if rel, err := filepath.Rel(r, abs); err == nil && within(r, abs) {
			return filepath.Join(root, rel)
		}
	}
	return abs
}

// rootSpellings is a root as written and with its links resolved.
func rootSpellings(root string) []string {
	out := []string{filepath.Clean(root)}
	if r, err := filepath.EvalSymlinks(root); err == nil && r != out[0] {
		out = append(out, r)
	}
	return out
}

// within reports whether p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func indexOf(cfg *config.Config, s config.Show) int {
	for i, c := range cfg.Shows {
		if c.Name == s.Name && c.Watch.Root == s.Watch.Root {
			return i
		}
	}
	return 0
}

func roots(shows []config.Show) string {
	var rs []string
	for _, s := range shows {
		if len(shows) > 1 {
			rs = append(rs, s.Name+": "+s.Watch.Root)
		} else {
			rs = append(rs, "the root is "+s.Watch.Root)
		}
	}
	return strings.Join(rs, "; ")
}
