package odailies

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// ErrBadPath marks a relative path that may never be sent to the API: an
// empty, "." or ".." segment, or bytes that are not UTF-8. It is permanent
// for that file; IsTransient reports false for it.
var ErrBadPath = errors.New("bad upload path")

// EscapePath turns a path relative to the watch root into the {path} part
// of an upload-signing URL. Backslashes become slashes, the name is put in
// Unicode NFC (macOS may hand back NFD), and each segment is escaped on its
// own, keeping only RFC 3986 unreserved characters literal, so that space,
// '#', '?', '%', '+', '&', ';' and every non-ASCII byte travel as %XX. The
// slashes between segments stay. A path with an empty, "." or ".." segment,
// or one that is not UTF-8, is refused with an error wrapping ErrBadPath.
func EscapePath(rel string) (string, error) {
	if !utf8.ValidString(rel) {
		return "", badPath(rel, "not valid UTF-8")
	}
	segs := strings.Split(norm.NFC.String(strings.ReplaceAll(rel, `\`, "/")), "/")
	for i, s := range segs {
		if why := segmentProblem(s); why != "" {
			return "", badPath(rel, why)
		}
		segs[i] = escapeSegment(s)
	}
	return strings.Join(segs, "/"), nil
}

func badPath(rel, why string) error {
	return fmt.Errorf("%w %q: %s", ErrBadPath, rel, why)
}

// segmentProblem says what is wrong with one path segment, "" if nothing.
func segmentProblem(s string) string {
	switch s {
	case "":
		return "empty segment"
	case ".", "..":
		return fmt.Sprintf("%q segment", s)
	}
	return ""
}

// escapeSegment percent-escapes every byte that is not unreserved: see
// redact.EscapeSegment, which the redactor matches tokens in too.
func escapeSegment(s string) string { return redact.EscapeSegment(s) }
