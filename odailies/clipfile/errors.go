package clipfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
)

// RowError is a problem with one item of a clip file or with one argument.
// Line is the 1-based line the item starts on (0 for command-line
// arguments); Key is the v1 key (or column) at fault, "" when the whole row
// is.
type RowError struct {
	Line int
	Key  string
	Err  error
}

func (e *RowError) Error() string {
	var where string
	switch {
	case e.Line > 0 && e.Key != "":
		where = "line " + strconv.Itoa(e.Line) + ", key " + strconv.Quote(e.Key)
	case e.Line > 0:
		where = "line " + strconv.Itoa(e.Line)
	case e.Key != "":
		where = "key " + strconv.Quote(e.Key)
	default:
		return e.Err.Error()
	}
	return where + ": " + e.Err.Error()
}

func (e *RowError) Unwrap() error { return e.Err }

// maxErrors bounds how many row errors one Parse reports: enough to fix a
// file in a few rounds, few enough to read.
const maxErrors = 20

// errorList gathers row errors so a file's problems are reported together.
type errorList struct {
	errs    []error
	dropped int
	skip    bool      // cells that cannot be read go to skipped, not errs
	skipped []Skipped // in file order
}

func (l *errorList) add(line int, key string, err error) {
	l.addErr(&RowError{Line: line, Key: key, Err: err})
}

// addErr keeps an error that already says where it happened.
func (l *errorList) addErr(err error) {
	if len(l.errs) == maxErrors {
		l.dropped++
		return
	}
	l.errs = append(l.errs, err)
}

func (l *errorList) failed() bool { return len(l.errs) > 0 }

// err is nil when nothing was added, else every error joined, one a line.
func (l *errorList) err() error {
	if l.dropped > 0 {
		return errors.Join(append(l.errs, fmt.Errorf("and %d more problems", l.dropped))...)
	}
	return errors.Join(l.errs...)
}

// UnknownKeyHint says how to get past unknown keys when err is about one,
// and is "" otherwise: a list of the v1 keys and the -allow-unknown flag.
func UnknownKeyHint(err error) string {
	if !errors.Is(err, ErrUnknownKey) {
		return ""
	}
	names := make([]string, len(odailies.Fields))
	for i, f := range odailies.Fields {
		names[i] = f.Name
	}
	return "\nThe v1 keys are: " + strings.Join(names, " ") +
		"\n(-allow-unknown sends other keys as they are, as strings)"
}
