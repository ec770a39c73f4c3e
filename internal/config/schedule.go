package config

import (
	"fmt"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/uploader"
)

// scheduleValue is upload.bandwidth_schedule: a list of entries such as
// "Mon-Fri 08:00-19:00 20MB/s" (uploader.Schedule has the format). It
// parses itself, so the decoder names the key and line of a bad entry;
// the error names the entry and the part to fix.
type scheduleValue struct{ s *uploader.Schedule }

// UnmarshalTOML parses an array of entry strings.
func (v *scheduleValue) UnmarshalTOML(data any) error {
	list, ok := data.([]any)
	if !ok {
		return fmt.Errorf("want a list of entries such as [\"Mon-Fri 08:00-19:00 20MB/s\", \"Sat,Sun off\"], got %s", tomlKind(data))
	}
	entries := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return fmt.Errorf("entry %d is %s: write each entry in quotes, such as \"Mon-Fri 08:00-19:00 20MB/s\"", i+1, tomlKind(e))
		}
		entries = append(entries, s)
	}
	s, err := uploader.ParseSchedule(entries)
	if err != nil {
		return fmt.Errorf("%w (each entry: optional days, an optional HH:MM-HH:MM local-time range, then a rate or off)", err)
	}
	v.s = s
	return nil
}

// scheduleText prints upload.bandwidth_schedule as check shows it.
func scheduleText(s *uploader.Schedule) string {
	if s == nil {
		return "[]"
	}
	return listValue(s.Entries()) + "  (local time; times no entry covers: unlimited)"
}

// checkBandwidth refuses a constant cap and a schedule together: which
// one holds would be a guess.
func (l *loader) checkBandwidth(u UploadConfig) {
	if u.Bandwidth > 0 && u.BandwidthSchedule != nil {
		l.errf("upload.bandwidth_schedule", "set together with upload.bandwidth: keep one (a schedule entry of a rate alone, such as \"%s/s\", caps every time the later entries do not cover)",
			units.Exact(u.Bandwidth))
	}
}
