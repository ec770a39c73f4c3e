package clipfile

import (
	"strconv"
	"strings"
	"unicode"
)

// Report is what Parse has to say besides the clips.
type Report struct {
	// Warnings are problems that do not make a row wrong, such as ALE
	// columns with no v1 key.
	Warnings []string
	// Skipped lists, in file order, the cells Options.SkipInvalid left out
	// of their clips, once each.
	Skipped []Skipped
}

// Skipped is a CSV or ALE cell that could not be read and was left out of
// its clip, so the server keeps its value.
type Skipped struct {
	Line  int
	Key   string // the v1 key
	Value string // the cell as written
	Err   error  // why it could not be read
}

// String is "line N, key K: value", with control characters in the value
// shown as spaces so one cell stays one line.
func (s Skipped) String() string {
	v := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, shorten(s.Value))
	return "line " + strconv.Itoa(s.Line) + ", key " + s.Key + ": " + v
}

// cell records a cell of line that could not be read for key: skipped when
// the list skips invalid cells, else an error.
func (l *errorList) cell(line int, key, text string, err error) {
	if !l.skip {
		l.add(line, key, err)
		return
	}
	for _, s := range l.skipped {
		if s.Line == line && s.Key == key {
			return
		}
	}
	l.skipped = append(l.skipped, Skipped{Line: line, Key: key, Value: text, Err: err})
}

// skippedOn reports whether a cell of line was skipped.
func (l *errorList) skippedOn(line int) bool {
	n := len(l.skipped)
	return n > 0 && l.skipped[n-1].Line == line
}

// SkippedNote is what a summary adds for n skipped cells: "" for none, else
// "; skipped n cells that could not be read".
func SkippedNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "; skipped 1 cell that could not be read"
	}
	return "; skipped " + strconv.Itoa(n) + " cells that could not be read"
}
