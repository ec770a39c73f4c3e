package clipfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
)

// aleFile is what the sections of an ALE file hold.
type aleFile struct {
	fps       float64  // the heading's FPS, 0 when absent
	columns   []string // the Column line's names
	columnsAt int      // its line number
	rows      []aleRow
}

// aleRow is one Data line, split at tabs.
type aleRow struct {
	line  int
	cells []string
}

// parseALE reads an Avid Log Exchange file: a Heading of KEY<TAB>VALUE
// lines, a Column line naming the fields, and Data lines of tab-separated
// values.
func parseALE(r io.Reader, opts Options) ([]odailies.Clip, Report, error) {
	data, err := readAll(r, ALE)
	if err != nil {
		return nil, Report{}, err
	}
	f, err := splitALE(aleLines(data))
	if err != nil {
		return nil, Report{}, err
	}
	cols, warnings := aleColumns(f.columns)
	if columnOf(cols, "name") < 0 {
		return nil, Report{Warnings: warnings}, &RowError{Line: f.columnsAt, Err: errors.New(`the Column line has no "Name" column`)}
	}
	c := newCollector(opts)
	for _, row := range f.rows {
		c.add(row.line, aleClip(row, cols, f.fps, &c.errs))
	}
	return c.result(warnings)
}

// aleLines splits the file into lines, whether they end in LF, CRLF or a
// lone CR (older Mac tools), dropping a UTF-8 byte order mark.
func aleLines(data []byte) []string {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n")
}

// aleSection is the part of an ALE file a line belongs to.
type aleSection int

const (
	aleStart aleSection = iota
	aleHeading
	aleColumn
	aleData
)

// splitALE walks the lines section by section.
func splitALE(lines []string) (*aleFile, error) {
	f := &aleFile{}
	state := aleStart
	for i, text := range lines {
		line := i + 1
		if blank(text) {
			continue
		}
		if next, ok := sectionName(text); ok {
			if err := checkOrder(state, next, f); err != nil {
				return nil, &RowError{Line: line, Err: err}
			}
			state = next
			continue
		}
		if err := f.take(state, line, text); err != nil {
			return nil, err
		}
	}
	return f, f.complete(state)
}

// sectionName recognises the Heading, Column and Data lines.
func sectionName(text string) (aleSection, bool) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "heading":
		return aleHeading, true
	case "column":
		return aleColumn, true
	case "data":
		return aleData, true
	}
	return 0, false
}

// checkOrder allows the sections only once each, in file order, with the
// Heading optional.
func checkOrder(state, next aleSection, f *aleFile) error {
	switch {
	case next <= state:
		return errors.New("a section appears twice or out of order (want Heading, Column, Data)")
	case next == aleData && f.columns == nil:
		return errors.New("the Data section comes before a Column line")
	}
	return nil
}

// take files one non-blank, non-section line under the current section.
func (f *aleFile) take(state aleSection, line int, text string) error {
	switch state {
	case aleHeading:
		return f.heading(line, text)
	case aleColumn:
		if f.columns != nil {
			return &RowError{Line: line, Err: errors.New("the Column section has more than one line")}
		}
		f.columns, f.columnsAt = strings.Split(text, "\t"), line
		return nil
	case aleData:
		f.rows = append(f.rows, aleRow{line: line, cells: strings.Split(text, "\t")})
		return nil
	}
	return &RowError{Line: line, Err: errors.New("not an ALE file: it does not start with Heading, Column and Data sections")}
}

// heading reads one KEY<TAB>VALUE line. Only FIELD_DELIM (which must be
// TABS) and FPS matter here.
func (f *aleFile) heading(line int, text string) error {
	key, value, _ := strings.Cut(text, "\t")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	switch strings.ToUpper(key) {
	case "FIELD_DELIM":
		if !strings.EqualFold(value, "TABS") {
			return &RowError{Line: line, Key: key, Err: fmt.Errorf("only TABS is supported, not %q", shorten(value))}
		}
	case "FPS":
		fps, err := parseNumber("fps", value)
		if err != nil || fps <= 0 {
			return &RowError{Line: line, Key: key, Err: fmt.Errorf("%q is not a frame rate", shorten(value))}
		}
		f.fps = fps
	}
	return nil
}

// complete checks that the file had the sections a clip list needs.
func (f *aleFile) complete(state aleSection) error {
	switch {
	case f.columns == nil:
		return errors.New("not an ALE file: it has no Column section")
	case state != aleData:
		return errors.New("the ALE file has no Data section")
	}
	return nil
}

// aleClip types one Data row. A duration written as timecode becomes
// seconds at the row's frame rate; rows without an FPS cell take the
// heading's.
func aleClip(row aleRow, cols []column, headingFPS float64, errs *errorList) odailies.Clip {
	cells := durationSeconds(row, cols, headingFPS, errs)
	clip := rowClip(row.line, cols, cells, headingFPS, errs)
	if _, ok := clip["fps"]; !ok && headingFPS > 0 && len(clip) > 0 {
		clip["fps"] = headingFPS
	}
	circledTake(clip)
	return clip
}

// durationSeconds returns the row's cells with a timecode duration
// rewritten as seconds; a bad one is reported and blanked.
func durationSeconds(row aleRow, cols []column, headingFPS float64, errs *errorList) []string {
	i := columnOf(cols, "duration")
	if i < 0 || i >= len(row.cells) || !isTimecode(row.cells[i]) {
		return row.cells
	}
	cells := append([]string(nil), row.cells...)
	secs, err := timecodeSeconds(cells[i], rowFPS(cells, cols, headingFPS))
	if err != nil {
		errs.cell(row.line, "duration", cells[i], err)
		cells[i] = ""
		return cells
	}
	cells[i] = strconv.FormatFloat(secs, 'f', -1, 64)
	return cells
}

// rowFPS is the frame rate of a row: its FPS cell if it has a good one,
// else the heading's.
func rowFPS(cells []string, cols []column, headingFPS float64) float64 {
	i := columnOf(cols, "fps")
	if i < 0 || i >= len(cells) || blank(cells[i]) {
		return headingFPS
	}
	fps, err := parseNumber("fps", cells[i])
	if err != nil {
		return headingFPS
	}
	return fps
}

// columnOf is the index of the column feeding key, or -1.
func columnOf(cols []column, key string) int {
	for i, c := range cols {
		if c.key == key {
			return i
		}
	}
	return -1
}

// circledTake reads a star after an ALE take ("3*"), the way sound
// recorders and loggers mark a circled take: the take is sent without it,
// and the clip as circled unless its row says otherwise in a circled
// column. A take that is only a star is left as written. CSV and JSON
// takes are kept as written: they come back from `clips get` as they are.
func circledTake(clip odailies.Clip) {
	take, ok := clip["take"].(string)
	rest, starred := strings.CutSuffix(strings.TrimSpace(take), "*")
	rest = strings.TrimSpace(rest)
	if !ok || !starred || rest == "" {
		return
	}
	clip["take"] = rest
	if _, set := clip["circled"]; !set {
		clip["circled"] = true
	}
}
