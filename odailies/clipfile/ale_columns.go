package clipfile

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/odailies/odailies-uploader/odailies"
)

// aleNames lists, for each v1 key, the ALE column names that feed it, best
// first, in normalized form (see normalize). When a file has more than one
// of them, the first listed wins and the others are skipped. Every v1 key
// also matches a column spelled like itself.
func aleNames() map[string][]string {
	return map[string][]string{
		"name":              {"name", "clipname"},
		"description":       {"description", "comments", "comment", "notes"},
		"circled":           {"circled", "circle", "goodtake", "circletake", "circ"},
		"rating":            {"rating", "stars"},
		"camera":            {"camera", "cam", "cameraletter", "cameraindex", "cameraposition"},
		"timecode":          {"start", "starttc", "starttimecode", "timecode"},
		"fps":               {"fps", "framerate", "projectfps", "projectframerate"},
		"date":              {"shootdate", "shootingdate", "recorddate", "daterecorded", "date"},
		"reelname":          {"tape", "reelname", "reel", "camroll", "cameraroll", "rollcard", "reelid", "reelnumber", "soundroll"},
		"whitepointkelvin":  {"whitepointkelvin", "whitebalance", "whitebalancekelvin", "kelvin", "wb", "colortemperature"},
		"whitepointccshift": {"whitepointccshift", "tint", "ccshift", "whitebalancecc", "whitebalancetint"},
		"shutter":           {"shutter", "shutterangle", "shutterspeed"},
		"filter":            {"filter", "filters"},
		"ndfilter":          {"ndfilter", "nd"},
		"lens":              {"lens", "lensmodel", "lenstype"},
		"focallength":       {"focallength", "focal", "lensfocallength", "focalpointmm"},
		"focusdistance":     {"focusdistance", "focus", "lensfocusdistance", "distance"},
		"asa":               {"asa", "iso", "asaiso", "ei", "exposureindex", "exposureindexasa"},
		"sensorFps":         {"sensorfps", "camerafps", "shootingfps", "sensorframerate", "recordfps"},
		"fStop":             {"fstop", "iris", "aperture", "cameraaperture"},
		"tStop":             {"tstop", "lensiris"},
	}
}

// normalize folds an ALE column name for matching: lower case, letters and
// digits only ("Shoot Date" and "shoot_date" are both "shootdate").
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// aleRank is where a column stands for a key: lower is preferred.
type aleRank struct {
	key  string
	rank int
}

// aleMatcher indexes aleNames by normalized column name.
func aleMatcher() map[string]aleRank {
	m := map[string]aleRank{}
	names := aleNames()
	for _, f := range odailies.Fields {
		list := slices.Concat(names[f.Name], []string{normalize(f.Name)})
		for rank, n := range list {
			if _, taken := m[n]; !taken {
				m[n] = aleRank{key: f.Name, rank: rank}
			}
		}
	}
	return m
}

// aleColumns maps the Column line onto v1 keys. Columns with no key, and
// columns that lose to a better name for the same key, are skipped and
// listed in warnings.
func aleColumns(names []string) ([]column, []string) {
	match := aleMatcher()
	best := map[string]int{} // key → index of the column that feeds it
	for i, n := range names {
		r, ok := match[normalize(n)]
		if j, seen := best[r.key]; ok && (!seen || r.rank < match[normalize(names[j])].rank) {
			best[r.key] = i
		}
	}
	cols := make([]column, len(names))
	for key, i := range best {
		kind, _ := odailies.FieldKind(key)
		cols[i] = column{key: key, kind: kind}
	}
	return cols, skippedWarnings(names, cols, match)
}

// skippedWarnings lists, in one line each, the columns with no v1 key and
// those that lost to another column for their key.
func skippedWarnings(names []string, cols []column, match map[string]aleRank) []string {
	var unmapped, shadowed []string
	for i, n := range names {
		switch r, ok := match[normalize(n)]; {
		case cols[i].key != "" || strings.TrimSpace(n) == "":
		case !ok:
			unmapped = append(unmapped, n)
		default:
			shadowed = append(shadowed, fmt.Sprintf("%s (%s comes from another column)", n, r.key))
		}
	}
	var w []string
	if len(unmapped) > 0 {
		w = append(w, "skipping ALE columns with no v1 clip key: "+strings.Join(unmapped, ", "))
	}
	if len(shadowed) > 0 {
		w = append(w, "skipping ALE columns: "+strings.Join(shadowed, ", "))
	}
	return w
}
