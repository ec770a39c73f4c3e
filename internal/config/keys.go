package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Keys is every key the config file may hold, in the order `check`
// prints them and config.example.toml documents them. Keys under
// upload.headers are header names and are free.
var Keys = []string{
	"api.base_url", "api.project_id", "api.token", "api.token_file",
	"watch.root", "watch.dirs", "watch.settle", "watch.rescan", "watch.poll",
	"watch.poll_interval", "watch.include", "watch.exclude", "watch.open_writer_max",
	"watch.name", "watch.project_id", "watch.token", "watch.token_file", "watch.base_url", "watch.priority",
	"watch.after_upload", "watch.after_upload_dir",
	"upload.workers", "upload.priority", "upload.bandwidth", "upload.bandwidth_schedule", "upload.retry_min",
	"upload.retry_max", "upload.stall_timeout", "upload.headers", "upload.allow_insecure_storage",
	"upload.verify",
	"state.dir",
	"log.file", "log.level", "log.status_every", "log.max_size", "log.keep",
	"ui.listen", "ui.password_file",
	"notify.url", "notify.events", "notify.format", "notify.quiet", "notify.authorization_file",
	"service.name", "service.display_name", "service.description", "service.user",
}

// retired are keys older versions read and this one ignores, each with
// the reason Load's warning gives. A config written for an older version
// must keep loading, so they are not unknown keys.
var retired = map[string]string{
	"upload.small_file": "thumbnails (the first folder of upload.priority) have an upload slot " +
		"of their own whatever the size of the clips, so no size decides it any more: remove the line",
}

// retiredKey reports whether key is a retired key or inside one (a value
// written as a table).
func retiredKey(key string) bool {
	for k := range retired {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// warnRetired warns about each retired key the file sets, naming its line.
func (l *loader) warnRetired() {
	for _, k := range slices.Sorted(maps.Keys(retired)) {
		if line := definedLine(l.data, k); line > 0 {
			l.warnf("%s%s is no longer used and is ignored: %s", lineLabel(line), k, retired[k])
		}
	}
}

// knownKey reports whether key (dotted, as toml.Key.String spells it) is a
// table or key of the config, or a retired one. The match is
// case-sensitive: the decoder itself would accept BASE_URL for base_url.
func knownKey(key string) bool {
	if strings.HasPrefix(key, "upload.headers.") || retiredKey(key) {
		return true
	}
	for _, k := range Keys {
		if k == key || strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// unknownKeys returns an error naming every key of md that the config does
// not have, with its line, or nil.
func unknownKeys(data string, md toml.MetaData) error {
	var msgs []string
	var reported []string
	for _, k := range md.Keys() {
		name := k.String()
		if knownKey(name) || underAny(name, reported) {
			continue
		}
		reported = append(reported, name)
		if len(reported) <= maxReported {
			msgs = append(msgs, fmt.Sprintf("%sunknown key %q%s", lineLabel(keyLine(data, k)), name, suggestKey(name)))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	if n := len(reported) - maxReported; n > 0 {
		msgs = append(msgs, fmt.Sprintf("and %d more unknown keys", n))
	}
	return errors.New(strings.Join(msgs, "; "))
}

// maxReported bounds the unknown keys named in one error: finding each
// one's line parses the file again.
const maxReported = 5

// underAny reports whether key is one of tables or inside one of them.
func underAny(key string, tables []string) bool {
	for _, t := range tables {
		if key == t || strings.HasPrefix(key, t+".") {
			return true
		}
	}
	return false
}

// suggestKey names the known key closest to key, as a hint: one that
// differs only in case, in its table, or by a typo or two.
func suggestKey(key string) string {
	last := key[strings.LastIndex(key, ".")+1:]
	best, bestDist := "", 3
	for _, k := range Keys {
		if strings.EqualFold(k, key) || strings.HasSuffix(k, "."+last) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
		if d := editDistance(k, key); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// lineLabel is "line N: " or "" when the line is unknown.
func lineLabel(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", line)
}

// keyLine finds the line of key in the TOML text, or 0. The decoder keeps
// key positions private, but reports them when a value refuses to decode:
// walk down to the key with Primitive values, then decode it into a value
// that always refuses.
func keyLine(data string, key toml.Key) int {
	var level map[string]toml.Primitive
	md, err := toml.Decode(data, &level)
	if err != nil || len(key) == 0 {
		return 0
	}
	prim, ok := level[key[0]]
	var tables []map[string]toml.Primitive
	if ok && len(key) > 1 && md.PrimitiveDecode(prim, &tables) == nil {
		// An array of tables ([[watch]]): the first table holding it.
		for i := range tables {
			if line := showKeyLine(data, i, strings.Join(key[1:], ".")); line > 0 && len(key) == 2 {
				return line
			}
		}
		return 0
	}
	for _, k := range key[1:] {
		var next map[string]toml.Primitive
		if !ok || md.PrimitiveDecode(prim, &next) != nil {
			return 0
		}
		prim, ok = next[k]
	}
	if !ok {
		return 0
	}
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(prim, &lineProbe{}), &pe) {
		return pe.Position.Line
	}
	return 0
}

// lineProbe refuses every value, so the decoder reports where it was.
type lineProbe struct{}

// UnmarshalTOML always fails.
func (*lineProbe) UnmarshalTOML(any) error { return errors.New("probe") }

// definedLine is the line of a dotted config key such as "watch.settle",
// or 0 when the file does not set it.
func definedLine(data string, dotted string) int {
	return keyLine(data, toml.Key(strings.Split(dotted, ".")))
}
