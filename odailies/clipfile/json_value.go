package clipfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
)

// jsonClip types the keys of one item, in sorted order so errors come out
// the same way every time.
func jsonClip(it jsonItem, opts Options, errs *errorList) odailies.Clip {
	line := it.line
	m, ok := it.raw.(map[string]any)
	if !ok {
		errs.add(line, "", errors.New("the item is not a JSON object"))
		return nil
	}
	if err := nameFromKey(m, it.key); err != nil {
		errs.add(line, "name", err)
		return nil
	}
	clip := odailies.Clip{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		key, v, err := jsonField(k, m[k], opts)
		if err == nil {
			err = setOnce(clip, key, v)
		}
		if err != nil {
			errs.add(line, k, err)
		}
	}
	if _, err := resolveShutter(clip, 0); err != nil {
		errs.add(line, "shutter", err)
	}
	return clip
}

// nameFromKey gives an item found under key in a keyed shape that key as
// its name, and refuses one whose name says otherwise.
func nameFromKey(m map[string]any, key string) error {
	if key == "" {
		return nil
	}
	name, has := m["name"]
	if !has {
		m["name"] = key
		return nil
	}
	if s, ok := name.(string); ok && strings.TrimSpace(s) != strings.TrimSpace(key) {
		return fmt.Errorf("the item under %q is named %q", shorten(key), shorten(s))
	}
	return nil
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
