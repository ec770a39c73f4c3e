package clipfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/odailies/odailies-uploader/odailies"
)

// tableKeys are the columns `clips get` shows after the name, in this
// order, each only when at least one clip has it set.
func tableKeys() []string {
	return []string{"scene", "shot", "take", "circled", "camera", "reelname",
		"timecode", "fps", "duration", "date", "description"}
}

// tableCellMax bounds a table cell, so one long description does not push
// the table off the screen.
const tableCellMax = 40

// WriteJSON prints the map of clips as the API sent it, indented.
func WriteJSON(w io.Writer, clips map[string]odailies.Clip) error {
	out, err := json.MarshalIndent(clips, "", "  ")
	if err != nil {
		return fmt.Errorf("encode clips: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// WriteCSV prints one row per clip, sorted by name, under a header of
// every v1 key in Fields order and then the other keys, sorted. The output
// reads back with `clips patch -f` (with -allow-unknown if it has extra
// keys).
func WriteCSV(w io.Writer, clips map[string]odailies.Clip) error {
	header := csvHeader(clips)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, name := range slices.Sorted(maps.Keys(clips)) {
		clip := withName(name, clips[name])
		for i, key := range header {
			row[i] = cellText(clip[key], "true", "false")
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvHeader is every v1 key, then the keys the server sent that v1 does
// not list, sorted.
func csvHeader(clips map[string]odailies.Clip) []string {
	header := make([]string, 0, len(odailies.Fields))
	for _, f := range odailies.Fields {
		header = append(header, f.Name)
	}
	extra := map[string]bool{}
	for _, clip := range clips {
		for key := range clip {
			if _, known := odailies.FieldKind(key); !known {
				extra[key] = true
			}
		}
	}
	return append(header, slices.Sorted(maps.Keys(extra))...)
}

// withName is clip with its map key as "name" when it carries none.
func withName(name string, clip odailies.Clip) odailies.Clip {
	if s, ok := clip["name"].(string); ok && s != "" {
		return clip
	}
	cp := maps.Clone(clip)
	if cp == nil {
		cp = odailies.Clip{}
	}
	cp["name"] = name
	return cp
}

// cellText writes a field's value as text; yes and no are how a bool
// reads.
func cellText(v any, yes, no string) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return yes
		}
		return no
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}

// WriteTable prints the name and the set table columns, sorted by
// name, aligned with a tabwriter, without trailing blanks.
func WriteTable(w io.Writer, clips map[string]odailies.Clip) error {
	keys := append([]string{"name"}, setKeys(clips, tableKeys())...)
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(keys, "\t"))
	for _, name := range slices.Sorted(maps.Keys(clips)) {
		clip := withName(name, clips[name])
		cells := make([]string, len(keys))
		for i, key := range keys {
			cells[i] = tableCell(cellText(clip[key], "yes", "no"))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(buf.String()) {
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	return nil
}

// setKeys is the keys, in order, that at least one clip has a value for.
func setKeys(clips map[string]odailies.Clip, keys []string) []string {
	var set []string
	for _, key := range keys {
		for _, clip := range clips {
			if cellText(clip[key], "yes", "no") != "" {
				set = append(set, key)
				break
			}
		}
	}
	return set
}

// tableCell keeps a cell on one line, without tabs, and at most
// tableCellMax characters.
func tableCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > tableCellMax {
		s = string(r[:tableCellMax-1]) + "…"
	}
	return s
}
