package packaging

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// placeholder matches @NAME@ in a template.
var placeholder = regexp.MustCompile(`@([A-Z][A-Z_]*)@`)

// render replaces each @NAME@ in tmpl with values[NAME]. A line that holds
// a placeholder whose value is empty is left out, so an optional setting
// (User=) disappears with its value. A placeholder missing from values is an
// error: a template and its caller are out of step.
func render(tmpl string, values map[string]string) (string, error) {
	var b strings.Builder
	for line := range strings.SplitAfterSeq(tmpl, "\n") {
		out, keep, err := renderLine(line, values)
		if err != nil {
			return "", err
		}
		if keep {
			b.WriteString(out)
		}
	}
	return b.String(), nil
}

// renderLine substitutes one line and reports whether it stays.
func renderLine(line string, values map[string]string) (string, bool, error) {
	keep := true
	var missing string
	out := placeholder.ReplaceAllStringFunc(line, func(m string) string {
		v, ok := values[m[1:len(m)-1]]
		if !ok && missing == "" {
			missing = m
		}
		if v == "" {
			keep = false
		}
		return v
	})
	if missing != "" {
		return "", false, fmt.Errorf("render template: no value for %s", missing)
	}
	return out, keep, nil
}

// checkText refuses a value that would break the line-based file it goes
// into: a newline, or any other control character.
func checkText(what, v string) error {
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		return fmt.Errorf("%s %q: control character at byte %d", what, v, i)
	}
	return nil
}
