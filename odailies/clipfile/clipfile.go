package clipfile

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
)

// Options tune Parse and ParseArgs. The zero value refuses keys v1 does not
// list.
type Options struct {
	// AllowUnknown passes keys v1 does not list through to the server: as
	// strings from CSV and arguments, as written from JSON. ALE columns with
	// no v1 key are skipped with a warning either way.
	AllowUnknown bool
	// SkipInvalid leaves a CSV or ALE cell that cannot be read for its key
	// out of its clip (the server keeps its value) and lists it in
	// Report.Skipped, instead of refusing the file. A clip left with
	// nothing but its name is dropped. Rows that are wrong as a whole (no
	// name, a name twice, a cell beyond the last column) are still refused.
	SkipInvalid bool
}

// Parse reads a clip metadata file in the given format. It returns the
// items in file order, a report of warnings (and skipped cells) a person
// should see, and an error joining a *RowError for each bad row. No items
// are returned with an error: half a file is never sent, unless
// Options.SkipInvalid says which half.
func Parse(r io.Reader, format Format, opts Options) ([]odailies.Clip, Report, error) {
	switch format {
	case JSON:
		return parseJSON(r, opts)
	case CSV:
		return parseCSV(r, opts)
	case ALE:
		return parseALE(r, opts)
	}
	return nil, Report{}, fmt.Errorf("parse clips: unknown format %v", format)
}

// maxFileSize bounds what Parse reads: far above any real clip list (a
// thousand clips take a few hundred kilobytes), low enough that a wrong
// file does not exhaust memory.
const maxFileSize = 256 << 20

// readAll reads the whole file, refusing one larger than maxFileSize.
func readAll(r io.Reader, format Format) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %v: %w", format, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("the %v file is larger than %d MiB: is it the right file?", format, maxFileSize>>20)
	}
	return data, nil
}

// collector gathers a file's items and refuses nameless and repeated ones.
type collector struct {
	clips []odailies.Clip
	seen  map[string]int // clip name → line of its first item
	errs  errorList
}

func newCollector(opts Options) *collector {
	return &collector{seen: map[string]int{}, errs: errorList{skip: opts.SkipInvalid}}
}

// add keeps clip, read from line, if it has a name not seen before. A row
// that set nothing at all (a blank spreadsheet row), or nothing but its name
// once its bad cells were skipped, is dropped silently.
func (c *collector) add(line int, clip odailies.Clip) {
	if len(clip) == 0 || (len(clip) == 1 && c.errs.skippedOn(line)) {
		return
	}
	name, ok := clip["name"].(string)
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		c.errs.add(line, "name", errors.New("the item has no clip name"))
		return
	}
	if first, dup := c.seen[name]; dup {
		c.errs.add(line, "name", fmt.Errorf("clip %q appears twice (first on line %d)", name, first))
		return
	}
	c.seen[name] = line
	clip["name"] = name
	c.clips = append(c.clips, clip)
}

// result is what Parse returns for the collected file.
func (c *collector) result(warnings []string) ([]odailies.Clip, Report, error) {
	rep := Report{Warnings: warnings, Skipped: c.errs.skipped}
	if c.errs.failed() {
		return nil, rep, c.errs.err()
	}
	return c.clips, rep, nil
}

// column says where the cells of one text column go.
type column struct {
	key  string        // v1 key, or the header as written when unknown keys pass; "" skips
	kind odailies.Kind // String for unknown keys
}

// rowClip types the cells of one text row under their columns. Blank cells
// set nothing; a non-blank cell beyond the last column is an error. A
// shutter time becomes an angle at the row's frame rate, else fps.
func rowClip(line int, cols []column, cells []string, fps float64, errs *errorList) odailies.Clip {
	clip := odailies.Clip{}
	for i, text := range cells {
		if blank(text) {
			continue
		}
		if i >= len(cols) {
			errs.add(line, "", fmt.Errorf("cell %d (%q) is beyond the last column", i+1, shorten(text)))
			continue
		}
		col := cols[i]
		if col.key == "" {
			continue
		}
		v, err := textValue(col.key, col.kind, text)
		if err != nil {
			errs.cell(line, col.key, text, err)
			continue
		}
		clip[col.key] = v
	}
	if text, err := resolveShutter(clip, fps); err != nil {
		errs.cell(line, "shutter", text, err)
	}
	return clip
}

// shorten shortens text quoted in an error.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
