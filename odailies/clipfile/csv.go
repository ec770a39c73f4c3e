package clipfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/odailies/odailies-uploader/odailies"
)

// ErrUnknownKey is wrapped by the *RowError for a key v1 does not list.
var ErrUnknownKey = errors.New("not a v1 clip key")

// utf8BOM is what spreadsheet programs put before a UTF-8 CSV.
const utf8BOM = "\xef\xbb\xbf"

// parseCSV reads a header row of v1 keys, then one clip per row.
func parseCSV(r io.Reader, opts Options) ([]odailies.Clip, Report, error) {
	data, err := readAll(r, CSV)
	if err != nil {
		return nil, Report{}, err
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, Report{}, csvError(err)
	}
	line, _ := cr.FieldPos(0)
	cols, warnings, err := csvColumns(line, header, opts)
	if err != nil {
		return nil, Report{Warnings: warnings}, err
	}
	c := newCollector(opts)
	readRows(cr, cols, c)
	return c.result(warnings)
}

// readRows adds every record of cr to c, stopping at the first syntax
// error: after one, the reader's idea of where a row starts is a guess.
func readRows(cr *csv.Reader, cols []column, c *collector) {
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			c.errs.addErr(csvError(err))
			return
		}
		line, _ := cr.FieldPos(0)
		c.add(line, rowClip(line, cols, rec, 0, &c.errs))
	}
}

// csvError names the line of a CSV syntax error.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Line: pe.Line, Err: pe.Err}
	}
	if errors.Is(err, io.EOF) {
		return errors.New("the file is empty: a header row of v1 clip keys comes first")
	}
	return fmt.Errorf("read csv: %w", err)
}

// sniffComma picks the separator from the header line: a comma if it has
// one, else a semicolon (spreadsheets in comma-decimal locales), else a tab.
func sniffComma(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	switch {
	case bytes.ContainsRune(first, ','):
		return ','
	case bytes.ContainsRune(first, ';'):
		return ';'
	case bytes.ContainsRune(first, '\t'):
		return '\t'
	}
	return ','
}

// csvColumns maps the header cells, read from line, to keys. Columns with
// an empty header are ignored with a warning; unknown and repeated keys are
// errors.
func csvColumns(line int, header []string, opts Options) ([]column, []string, error) {
	var errs errorList
	var unnamed []string
	cols := make([]column, len(header))
	first := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			unnamed = append(unnamed, strconv.Itoa(i+1))
			continue
		}
		col, err := headerColumn(h, opts)
		if j, dup := first[col.key]; err == nil && dup {
			err = fmt.Errorf("column %d repeats column %d", i+1, j+1)
		}
		if err != nil {
			errs.add(line, h, err)
			continue
		}
		first[col.key], cols[i] = i, col
	}
	if _, ok := first["name"]; !ok && !errs.failed() {
		errs.add(line, "", errors.New(`the header has no "name" column`))
	}
	return cols, unnamedWarning(unnamed), errs.err()
}

// unnamedWarning lists the columns without a header, if any.
func unnamedWarning(unnamed []string) []string {
	if len(unnamed) == 0 {
		return nil
	}
	return []string{"ignoring csv columns with an empty header: " + strings.Join(unnamed, ", ")}
}

// headerColumn is the column a header names.
func headerColumn(h string, opts Options) (column, error) {
	if key, kind, ok := lookupKey(h); ok {
		return column{key: key, kind: kind}, nil
	}
	if !opts.AllowUnknown {
		return column{}, ErrUnknownKey
	}
	if !utf8.ValidString(h) {
		return column{}, errors.New("not valid UTF-8 text (save the file as UTF-8)")
	}
	return column{key: h, kind: odailies.String}, nil
}
