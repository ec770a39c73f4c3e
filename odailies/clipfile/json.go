package clipfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/odailies/odailies-uploader/odailies"
)

// errJSONShape says what a JSON clip file must look like.
var errJSONShape = errors.New(`want a JSON array of clips, or {"data": [clips]}`)

// parseJSON reads an array of items, bare or as the "data" of an object
// (the PATCH body itself).
func parseJSON(r io.Reader, opts Options) ([]odailies.Clip, []string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read json: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := openArray(d); err != nil {
		return nil, nil, jsonError(data, err)
	}
	c := newCollector()
	for d.More() {
		line := lineAt(data, d.InputOffset())
		var item any
		if err := d.Decode(&item); err != nil {
			return nil, nil, jsonError(data, err)
		}
		c.add(line, jsonClip(line, item, opts, &c.errs))
	}
	return c.result(nil)
}

// openArray moves d past the '[' of the clip list.
func openArray(d *json.Decoder) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	if tok == json.Delim('[') {
		return nil
	}
	if tok != json.Delim('{') {
		return errJSONShape
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return err
		}
		if key == "data" {
			if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
				return errors.Join(err, errJSONShape)
			}
			return nil
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return err
		}
	}
	return errJSONShape
}

// jsonError names the line of a JSON syntax error.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &RowError{Line: lineAt(data, se.Offset), Err: se}
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

// jsonClip types the keys of one item, in sorted order so errors come out
// the same way every time.
func jsonClip(line int, item any, opts Options, errs *errorList) odailies.Clip {
	m, ok := item.(map[string]any)
	if !ok {
		errs.add(line, "", errors.New("the item is not a JSON object"))
		return nil
	}
	clip := odailies.Clip{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key, v, err := jsonField(k, m[k], opts)
		if err == nil {
			err = setOnce(clip, key, v)
		}
		if err != nil {
			errs.add(line, k, err)
		}
	}
	return clip
}

// setOnce sets clip[key], refusing a second spelling of the same key.
func setOnce(clip odailies.Clip, key string, v any) error {
	if _, dup := clip[key]; dup {
		return fmt.Errorf("the item already has %q", key)
	}
	clip[key] = v
	return nil
}

// jsonField is the wire key and typed value of one JSON member.
func jsonField(k string, v any, opts Options) (string, any, error) {
	key, kind, ok := lookupKey(k)
	if !ok {
		if opts.AllowUnknown {
			return k, v, nil
		}
		return "", nil, ErrUnknownKey
	}
	tv, err := jsonValue(key, kind, v)
	return key, tv, err
}

// jsonValue checks a JSON value against the key's kind. Numbers and strings
// that spell a value of the kind are accepted ("24" for fps, 22 for scene,
// 1 for circled); null and empty strings for numbers or bools are refused.
func jsonValue(key string, kind odailies.Kind, v any) (any, error) {
	switch v := v.(type) {
	case bool:
		if kind == odailies.Bool {
			return v, nil
		}
	case json.Number:
		return textValue(key, kind, v.String())
	case string:
		if blank(v) && kind == odailies.String {
			return v, nil
		}
		if !blank(v) {
			return textValue(key, kind, v)
		}
	case nil:
		return nil, errors.New("null is not a value: leave the key out to keep what the server has")
	}
	return nil, fmt.Errorf("%s is not a %v", jsonType(v), kind)
}

// jsonType names a decoded JSON value's type for an error.
func jsonType(v any) string {
	switch v := v.(type) {
	case bool:
		return fmt.Sprint(v)
	case json.Number:
		return "the number " + v.String()
	case string:
		return "an empty string"
	case []any:
		return "a list"
	}
	return "an object"
}
