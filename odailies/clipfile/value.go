package clipfile

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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

// parseNumber reads a decimal number, refusing NaN, infinities, hex and
// digit separators: what a spreadsheet shows, not what Go can parse. A unit
// people commonly write after the key's value ("35mm", "5600K", "180°",
// "f/2.8") is dropped.
func parseNumber(key, s string) (float64, error) {
	t := trimUnit(key, strings.TrimSpace(s))
	if !decimal(t) {
		return 0, fmt.Errorf("%q is not a number", shorten(s))
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number in range", shorten(s))
	}
	return f, nil
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

// trimUnit drops the unit a value of key is often written with.
func trimUnit(key, s string) string {
	var prefixes, suffixes []string
	switch key {
	case "focallength":
		suffixes = []string{"mm"}
	case "focusdistance":
		suffixes = []string{"m"}
	case "whitepointkelvin":
		suffixes = []string{"K", "k"}
	case "shutter":
		suffixes = []string{"°", "deg"}
	case "fStop":
		prefixes = []string{"f/", "F/", "f", "F"}
	case "tStop":
		prefixes = []string{"T", "t"}
	case "fps", "sensorFps":
		suffixes = []string{"fps", "FPS"}
	case "asa":
		prefixes = []string{"ISO", "EI"}
	}
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return strings.TrimSpace(rest)
		}
	}
	for _, u := range suffixes {
		if rest, ok := strings.CutSuffix(s, u); ok {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

// parseDate checks a yyyyMMdd date (yyyy-MM-dd is accepted and rewritten)
// and that the day exists.
func parseDate(s string) (string, error) {
	t := strings.TrimSpace(s)
	layout := "20060102"
	if len(t) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	d, err := time.Parse(layout, t)
	if err != nil {
		return "", fmt.Errorf("%q is not a date in yyyyMMdd form (like 20260422)", shorten(s))
	}
	return d.Format("20060102"), nil
}
