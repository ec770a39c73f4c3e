package clipfile

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is the syntax of a clip metadata file.
type Format int

// The formats Parse reads.
const (
	JSON Format = iota + 1 // an array of items, or {"data": [items]}
	CSV                    // a header row of v1 keys, then one clip per row
	ALE                    // Avid Log Exchange: Heading, Column and Data sections
)

// String is the format's name as the -format flag spells it.
func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case CSV:
		return "csv"
	case ALE:
		return "ale"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat reads a format name: json, csv or ale, in any case.
func ParseFormat(s string) (Format, error) {
	for _, f := range []Format{JSON, CSV, ALE} {
		if strings.EqualFold(s, f.String()) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown clip file format %q (want json, csv or ale)", s)
}

// FormatOf picks the format from a file name's extension (.json, .csv,
// .ale, in any case).
func FormatOf(path string) (Format, error) {
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if ext == "" {
		return 0, fmt.Errorf("cannot tell the format of %q: it has no extension (use -format)", path)
	}
	f, err := ParseFormat(ext)
	if err != nil {
		return 0, fmt.Errorf("cannot tell the format of %q from .%s (use -format json, csv or ale)", path, ext)
	}
	return f, nil
}
