package clipfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/odailies/odailies-uploader/odailies"
)

// lookupKey finds the v1 key a header or argument names: the exact wire
// spelling first, then the one key equal to it ignoring case ("FPS",
// "Reelname"). ok is false for keys v1 does not have.
func lookupKey(name string) (key string, kind odailies.Kind, ok bool) {
	if kind, ok := odailies.FieldKind(name); ok {
		return name, kind, true
	}
	for _, f := range odailies.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Name, f.Kind, true
		}
	}
	return "", 0, false
}

// blank reports a cell that sets nothing.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// textValue types a non-blank cell or argument for a key of the given kind.
// Strings are kept as written; numbers, bools and dates are trimmed first.
func textValue(key string, kind odailies.Kind, s string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not valid UTF-8 text (save the file as UTF-8)")
	}
	switch {
	case kind == odailies.Bool:
		return parseBool(s)
	case key == "shutter":
		return parseShutter(s)
	case kind == odailies.Number:
		return parseNumber(key, s)
	case key == "date":
		return parseDate(s)
	}
	return s, nil
}

// parseBool accepts true/false, yes/no, y/n, 1/0 in any case, and the marks
// logging tools put in a "circled" column (*, x, ✓, ✔) for true.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "*", "x", "✓", "✔", "circled":
		return true, nil
	case "false", "no", "n", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a yes/no value (use true, false, yes, no, y, n, 1 or 0)", shorten(s))
}

// parseNumber reads a number for key, in the notation cameras and dailies
// tools write that key in (see the README's value table): "2.8 + 3/10"
// for a stop, "32.00 mm", "8' 6\"", "EI 800", "5600 K", "29.97 DF". Other
// keys take a plain decimal number.
func parseNumber(key, s string) (float64, error) {
	t := strings.TrimSpace(s)
	switch key {
	case "fStop", "tStop":
		return parseStop(key, t)
	case "fps", "sensorFps":
		return parseFPS(t, s)
	case "focallength":
		return parseFocal(t, s)
	case "focusdistance":
		return parseDistance(t, s)
	case "asa":
		return parseISO(t, s)
	case "whitepointkelvin":
		return parseKelvin(t, s)
	case "shutter":
		v, err := parseShutter(t)
		if f, ok := v.(float64); ok || err != nil {
			return f, err
		}
		return 0, fmt.Errorf("%q is a shutter time, which needs the clip's frame rate", shorten(s))
	}
	return plainNumber(t, s)
}

// decimal reports text made of an optional sign, digits with at most one
// point, and an optional exponent.
func decimal(s string) bool {
	if len(s) > 64 {
		return false
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp && !digits(unsigned(exp)) {
		return false
	}
	intPart, frac, _ := strings.Cut(unsigned(mant), ".")
	return (intPart != "" || frac != "") && digits(intPart+"0") && digits(frac+"0")
}

// unsigned drops one leading sign.
func unsigned(s string) string {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:]
	}
	return s
}

// digits reports a non-empty run of ASCII digits.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
