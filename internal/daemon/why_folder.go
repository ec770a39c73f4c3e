package daemon

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/watcher"
)

// maxFolderWalk bounds the files a folder's summary looks at.
const maxFolderWalk = 100_000

// folder explains a folder: ignored as a whole (hidden, excluded, outside
// the watched dirs, the after-upload folder), or summarised: its files
// counted by state, and each file that is not done explained (up to
// why.MaxFolderFiles).
func (s *whySource) folder(ctx context.Context, arg, abs string) why.Answer {
	f := s.facts(ctx, arg, abs, nil, nil)
	f.ignore = s.w.Ignored(f.rel, true)
	switch {
	case f.afterDir != "":
		return decide(f)
	case f.ignore.Kind == why.RuleOutsideDirs:
		a := f.ignored()
		a.Reason = "ignored: this folder is under the root but is none of the watched folders (watch.dirs), nor inside one"
		return a
	case f.ignore.Kind != "":
		return f.ignored()
	}
	if !s.running {
		if held, known, all := s.w.WritersUnder(); known {
			s.writers, s.writersAll = held, all
			if s.writers == nil {
				s.writers = map[string][]watcher.Writer{}
			}
			defer func() { s.writers = nil }()
		}
	}
	c := &why.Contents{Counts: map[why.State]int{}}
	byState := map[why.State][]why.Answer{}
	seen := 0
	err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && p == abs:
			return err
		case err != nil:
			count(c, byState, s.fileAnswer(ctx, p, nil, err)) // a folder below that cannot be read
			return fs.SkipDir
		case d.IsDir():
			return nil
		case seen >= maxFolderWalk:
			return fs.SkipAll
		}
		seen++
		fi, err := os.Lstat(p)
		count(c, byState, s.fileAnswer(ctx, p, fi, err))
		return nil
	})
	if err != nil {
		fa := f
		fa.statErr = err
		return decide(fa)
	}
	pick(c, byState)
	a := f.answer(why.Folder, "a folder: "+why.CountsLine(c.Counts))
	if seen >= maxFolderWalk {
		a.Unknown = append(a.Unknown, "only the first 100000 files were looked at")
	}
	a.Folder = c
	return a
}

// listOrder is the order a folder's files are listed in: what needs a
// person first, junk last.
var listOrder = []why.State{why.Failed, why.Unreadable, why.HeldOpen, why.Settling, why.Active, why.Queued,
	why.NotSeen, why.Gone, why.Missing, why.Ignored}

// count adds one file's answer to a folder's counts, keeping up to
// why.MaxFolderFiles answers of each state that is not done.
func count(c *why.Contents, byState map[why.State][]why.Answer, a why.Answer) {
	c.Counts[a.State]++
	if a.State != why.Done && len(byState[a.State]) < why.MaxFolderFiles {
		byState[a.State] = append(byState[a.State], a)
	}
}

// pick lists the first why.MaxFolderFiles files not done, in listOrder;
// More counts the others.
func pick(c *why.Contents, byState map[why.State][]why.Answer) {
	for _, st := range listOrder {
		for _, a := range byState[st] {
			if len(c.Files) < why.MaxFolderFiles {
				c.Files = append(c.Files, a)
			}
		}
	}
	for st, n := range c.Counts {
		if st != why.Done {
			c.More += n
		}
	}
	c.More -= len(c.Files)
}
