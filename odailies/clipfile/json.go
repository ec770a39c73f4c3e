package clipfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/odailies/odailies-uploader/odailies"
)

// errJSONShape says what a JSON clip file must look like.
var errJSONShape = errors.New(`want a JSON array of clips, {"data": [clips]}, or an object of clips keyed by name`)

// parseJSON reads the clip list in any of the shapes people have at hand:
// a bare array of items, a PATCH body {"data": [items]}, the output of
// `clips get -json` {name: item}, or a saved GET answer
// {"data": {"message": {name: item}}}. In the keyed shapes an item without
// a "name" takes its key.
func parseJSON(r io.Reader, opts Options) ([]odailies.Clip, Report, error) {
	data, err := readAll(r, JSON)
	if err != nil {
		return nil, Report{}, err
	}
	w := &jsonWalk{data: data}
	if err := w.value(0, levelTop); err != nil {
		return nil, Report{}, err
	}
	c := newCollector(Options{AllowUnknown: opts.AllowUnknown})
	for _, it := range w.items {
		c.add(it.line, jsonClip(it, opts, &c.errs))
	}
	return c.result(nil)
}

// jsonItem is one clip item found in a JSON file.
type jsonItem struct {
	line int    // where the item (or its key) starts
	key  string // the key it was found under; "" in an array
	raw  any
}

// jsonLevel is how deep in a wrapper the walk is.
type jsonLevel int

const (
	levelTop     jsonLevel = iota // [items], {"data": …} or {name: item}
	levelData                     // [items] or {"message": {name: item}}
	levelMessage                  // {name: item}
)

// wrapper is the key that leads one level deeper, "" at the last level.
func (l jsonLevel) wrapper() string {
	switch l {
	case levelTop:
		return "data"
	case levelData:
		return "message"
	}
	return ""
}

// jsonWalk finds the items of a JSON clip file and the line each starts on.
type jsonWalk struct {
	data  []byte
	items []jsonItem
}

// value reads the clip list whose JSON value starts at byte off.
func (w *jsonWalk) value(off int64, level jsonLevel) error {
	if off < 0 || off > int64(len(w.data)) {
		return errJSONShape
	}
	d := json.NewDecoder(bytes.NewReader(w.data[off:]))
	d.UseNumber()
	tok, err := d.Token()
	switch {
	case err != nil:
		return w.fail(err, off)
	case tok == json.Delim('[') && level != levelMessage:
		return w.array(d, off)
	case tok == json.Delim('{'):
		return w.object(d, off, level)
	}
	return errJSONShape
}

// array takes every element of the array d has just opened as an item.
func (w *jsonWalk) array(d *json.Decoder, base int64) error {
	for d.More() {
		line := lineAt(w.data, base+d.InputOffset())
		var item any
		if err := d.Decode(&item); err != nil {
			return w.fail(err, base)
		}
		w.items = append(w.items, jsonItem{line: line, raw: item})
	}
	return nil
}

// jsonMember is one member of an object, and where its value starts.
type jsonMember struct {
	key  string
	line int
	off  int64
	raw  json.RawMessage
}

// object reads the object d has just opened: a wrapper to descend into,
// or a map of clips keyed by name.
func (w *jsonWalk) object(d *json.Decoder, base int64, level jsonLevel) error {
	members, err := w.members(d, base)
	if err != nil {
		return err
	}
	for _, m := range members {
		if level.wrapper() != "" && m.key == level.wrapper() {
			return w.value(m.off, level+1)
		}
	}
	if level == levelData {
		return errJSONShape
	}
	for _, m := range members {
		item, err := decodeAny(m.raw)
		if err != nil {
			return w.fail(err, m.off)
		}
		w.items = append(w.items, jsonItem{line: m.line, key: m.key, raw: item})
	}
	return nil
}

// members reads the rest of an object, keeping each value's raw bytes and
// its offset in the file.
func (w *jsonWalk) members(d *json.Decoder, base int64) ([]jsonMember, error) {
	var ms []jsonMember
	for d.More() {
		line := lineAt(w.data, base+d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return nil, w.fail(err, base)
		}
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return nil, w.fail(err, base)
		}
		key, _ := tok.(string)
		ms = append(ms, jsonMember{key: key, line: line, off: base + d.InputOffset() - int64(len(raw)), raw: raw})
	}
	return ms, nil
}

// decodeAny decodes one value, keeping numbers as json.Number.
func decodeAny(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// fail names the line of a JSON syntax error; base is where the decoder
// that met it started reading.
func (w *jsonWalk) fail(err error, base int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &RowError{Line: lineAt(w.data, base+se.Offset), Err: se}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the JSON ends too early: %w", errJSONShape)
	}
	return fmt.Errorf("read json: %w", err)
}

// lineAt is the line of the first byte at or after off that is not space or
// a comma: where the next value starts.
func lineAt(data []byte, off int64) int {
	i := int(min(max(off, 0), int64(len(data))))
	for i < len(data) && bytes.IndexByte([]byte(" \t\r\n,"), data[i]) >= 0 {
		i++
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}
