package config

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// checkBaseURL checks api.base_url (or a show's base_url, key) with the
// API client's own rule.
func (l *loader) checkBaseURL(key, raw string) string {
	s, err := odailies.CheckBaseURL(raw)
	if err != nil {
		l.errf(key, "%v", err)
		return strings.TrimSpace(raw)
	}
	return s
}

// checkRoot requires watch.root and resolves it.
func (l *loader) checkRoot(root string) string {
	if strings.TrimSpace(root) == "" {
		l.errf("watch.root", "not set: give the folder that holds _graded and _thumbnails")
		return ""
	}
	return l.buildPath("watch.root", root, "")
}

// checkDirs requires at least one watched folder, each relative to the
// root without "..", and no folder twice.
func (l *loader) checkDirs(dirs []string) []string {
	if len(dirs) == 0 {
		l.errf("watch.dirs", "empty: list the folders under watch.root to upload, e.g. [\"_graded\", \"_thumbnails\"]")
		return nil
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		c, ok := l.checkDir(d)
		if !ok {
			continue
		}
		if slices.Contains(out, c) {
			l.errf("watch.dirs", "%q is listed twice", d)
			continue
		}
		out = append(out, c)
	}
	return out
}

// checkDir checks one entry of watch.dirs.
func (l *loader) checkDir(d string) (string, bool) {
	slashed := strings.ReplaceAll(strings.TrimSpace(d), `\`, "/")
	c := path.Clean(slashed)
	switch {
	case slashed == "":
		l.errf("watch.dirs", "holds an empty name: remove it")
	case filepath.IsAbs(d) || path.IsAbs(c) || hasDriveLetter(c):
		l.errf("watch.dirs", "%q is absolute: name a folder inside watch.root, e.g. \"_graded\"", d)
	case c == "." || slices.Contains(strings.Split(slashed, "/"), ".."):
		l.errf("watch.dirs", "%q leaves or is watch.root: name a folder inside it without \"..\"", d)
	case strings.ContainsRune(d, 0):
		l.errf("watch.dirs", "%q holds a NUL character", d)
	default:
		return c, true
	}
	return "", false
}

// hasDriveLetter reports whether p starts like a Windows drive path ("C:").
func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}

// checkDuration requires d ≥ lowest.
func (l *loader) checkDuration(key string, d durationValue, lowest time.Duration) time.Duration {
	if time.Duration(d) < lowest {
		if lowest == 0 {
			l.errf(key, "%s is negative: use 0 or more", Duration(time.Duration(d)))
		} else {
			l.errf(key, "%s is too short: use at least %s", Duration(time.Duration(d)), Duration(lowest))
		}
	}
	return time.Duration(d)
}

// checkGlobs requires valid path.Match patterns.
func (l *loader) checkGlobs(key string, globs []string) []string {
	for _, g := range globs {
		if g == "" {
			l.errf(key, "holds an empty pattern: remove it")
			continue
		}
		if _, err := path.Match(g, ""); err != nil {
			l.errf(key, "bad pattern %q: %w (use *, ?, [a-z] and \\ to escape)", g, err)
		}
	}
	return append([]string{}, globs...)
}

// checkFolders warns about a root or watched folder that is not there: a
// drive may be unplugged, and the watcher re-checks. `check -offline`
// turns the same findings into errors (see MissingFolders).
func (l *loader) checkFolders(root string, dirs []string) {
	if root == "" {
		return
	}
	for _, p := range MissingFolders(root, dirs) {
		l.warnf("%s (run starts anyway and uploads once it is there)", p)
	}
}

// MissingFolders describes root and each watched folder that is missing
// or not a folder, one sentence each.
func MissingFolders(root string, dirs []string) []string {
	if msg := folderProblem("watch.root", root); msg != "" {
		return []string{msg}
	}
	var out []string
	for _, d := range dirs {
		if msg := folderProblem("watch.dirs", filepath.Join(root, filepath.FromSlash(d))); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// folderProblem is a sentence about p not being a usable folder, or "".
func folderProblem(key, p string) string {
	fi, err := os.Stat(p)
	switch {
	case os.IsNotExist(err):
		return fmt.Sprintf("%s: folder %s does not exist", key, p)
	case err != nil:
		return fmt.Sprintf("%s: cannot read folder %s: %v", key, p, err)
	case !fi.IsDir():
		return fmt.Sprintf("%s: %s is not a folder", key, p)
	}
	return ""
}

// checkPriority keeps the priority list; names that are not watched are
// harmless but worth a warning.
func (l *loader) checkPriority(key string, prio, dirs []string) []string {
	out := make([]string, 0, len(prio))
	for _, p := range prio {
		c := cleanDir(p)
		if !slices.Contains(dirs, c) {
			l.warnf("%s: %q is not in watch.dirs, so it has no effect", l.showKey(key), p)
		}
		out = append(out, c)
	}
	return out
}

// managedHeaders are set by the HTTP client itself and may not be overridden.
var managedHeaders = []string{"Content-Length", "Transfer-Encoding", "Host", "Connection", "Expect"}

// checkHeaders requires valid header names and values.
func (l *loader) checkHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for name, v := range h {
		switch {
		case !validHeaderName(name):
			l.errf("upload.headers", "%q is not a valid header name", name)
		case slices.Contains(managedHeaders, http.CanonicalHeaderKey(name)):
			l.errf("upload.headers", "%q is set by the uploader itself: remove it", name)
		case strings.ContainsAny(v, "\r\n\x00"):
			l.errf("upload.headers", "the value of %q holds a line break or NUL", name)
		default:
			out[name] = v
		}
	}
	return out
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}
