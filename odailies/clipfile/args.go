package clipfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
)

// ParseArgs builds one clip from its name and key=value arguments, as in
// `clips patch A001C001 scene=22 take=3 circled=yes`. Values are typed like
// CSV cells, except that key= with nothing after it sets a string key to ""
// (it is an error for numbers and yes/no keys): an argument is always
// meant. Errors are *RowErrors with Line 0, naming the key.
func ParseArgs(name string, kv []string, opts Options) (odailies.Clip, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &RowError{Key: "name", Err: errors.New("the clip name is empty")}
	}
	clip := odailies.Clip{"name": name}
	var errs errorList
	for _, arg := range kv {
		key, v, err := argField(arg, opts)
		if err == nil {
			err = setOnce(clip, key, v)
		}
		if err != nil {
			errs.add(0, argKey(arg), err)
		}
	}
	if _, err := resolveShutter(clip, 0); err != nil {
		errs.add(0, "shutter", err)
	}
	if errs.failed() {
		return nil, errs.err()
	}
	return clip, nil
}

// argKey is the key an argument names, for errors.
func argKey(arg string) string {
	key, _, _ := strings.Cut(arg, "=")
	return key
}

// argField is the wire key and typed value of one key=value argument.
func argField(arg string, opts Options) (string, any, error) {
	k, text, ok := strings.Cut(arg, "=")
	k = strings.TrimSpace(k)
	switch {
	case !ok || k == "":
		return "", nil, fmt.Errorf("%q is not key=value", shorten(arg))
	case strings.EqualFold(k, "name"):
		return "", nil, errors.New("the clip name is the first argument; it cannot be changed here")
	}
	key, kind, known := lookupKey(k)
	switch {
	case !known && !opts.AllowUnknown:
		return "", nil, ErrUnknownKey
	case !known:
		key, kind = k, odailies.String
	}
	if blank(text) && kind != odailies.String {
		return "", nil, fmt.Errorf("an empty value is not a %v", kind)
	}
	if blank(text) {
		return key, "", nil
	}
	v, err := textValue(key, kind, text)
	return key, v, err
}
