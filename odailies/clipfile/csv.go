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
var utf8BOM = []byte("\xef\xbb\xbf")

// parseCSV reads a header row of v1 keys, then one clip per row.
func parseCSV(r io.Reader, opts Options) ([]odailies.Clip, []string, error) {
	data, err := readAll(r, CSV)
	if err != nil {
		return nil, nil, err
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, csvError(err)
	}
	cols, warnings, err := csvColumns(header, opts)
	if err != nil {
		return nil, warnings, err
	}
	c := newCollector()
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
		c.add(line, rowClip(line, cols, rec, &c.errs))
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

// csvColumns maps header cells to keys. Columns with an empty header are
// ignored with a warning; unknown and repeated keys are errors on line 1.
func csvColumns(header []string, opts Options) ([]column, []string, error) {
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
		if err != nil {
			errs.add(1, h, err)
			continue
		}
		if j, dup := first[col.key]; dup {
			errs.add(1, h, fmt.Errorf("column %d repeats column %d", i+1, j+1))
			continue
		}
		first[col.key], cols[i] = i, col
	}
	if _, ok := first["name"]; !ok && !errs.failed() {
		errs.add(1, "", errors.New(`the header has no "name" column`))
	}
	var warnings []string
	if len(unnamed) > 0 {
		warnings = append(warnings, "ignoring csv columns with an empty header: "+strings.Join(unnamed, ", "))
	}
	return cols, warnings, errs.err()
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
