package uploader

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/units"
)

// Schedule is a bandwidth timetable (config upload.bandwidth_schedule):
// a list of entries, each an optional day list, an optional local-time
// range and a rate or "off":
//
//	Mon-Fri 08:00-19:00 20MB/s
//	19:00-08:00 off
//	Sat,Sun off
//
// Days are Mon Tue Wed Thu Fri Sat Sun (any case), in ranges (Mon-Fri,
// Fri-Mon wraps the week) and comma lists (Mon-Wed,Fri); no day list is
// every day. A range is HH:MM-HH:MM or HH:MM:SS-HH:MM:SS, start included,
// end excluded; 24:00 may end one, and no range is the whole day. A range
// whose end is before its start runs past midnight, and belongs to the day
// it starts: "Fri 22:00-02:00 off" is Friday 22:00 to Saturday 02:00.
// The rate is a units.ParseRate rate ("20MB/s", "512KiB/s") or "off",
// unlimited.
//
// Later entries win where they overlap; a time no entry covers is
// unlimited. So a first entry of a rate alone ("10MB/s") is the cap
// whenever no later entry says otherwise.
//
// Time is the wall clock of the schedule's location (time.Local unless
// In says otherwise), so DST moves nothing a person wrote: on a
// spring-forward day a 02:00-03:00 entry never holds (the hour does not
// exist), and on a fall-back day a 01:00-02:00 entry holds for both
// 01:00 hours.
type Schedule struct {
	entries []scheduleEntry
	loc     *time.Location
}

type scheduleEntry struct {
	text       string
	days       uint8 // bit 1<<time.Weekday per day the entry starts on
	start, end int   // seconds after midnight; end in (0, 86400]; start > end runs past midnight
	rate       int64 // bytes per second; 0 is off (unlimited)
}

const (
	allDays   = 1<<7 - 1
	daySecs   = 24 * 60 * 60
	lookAhead = 9 // days searched for the next change: a week, and DST around it
)

// ParseSchedule parses the entries of upload.bandwidth_schedule; nil or
// empty gives a nil Schedule (no schedule). An error names the entry by
// number and text, and the part to fix.
func ParseSchedule(entries []string) (*Schedule, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	s := &Schedule{loc: time.Local}
	var errs []error
	for i, text := range entries {
		e, err := parseEntry(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry %d %q: %w", i+1, text, err))
			continue
		}
		s.entries = append(s.entries, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// In returns the schedule read in loc's wall clock.
func (s *Schedule) In(loc *time.Location) *Schedule {
	c := *s
	c.loc = loc
	return &c
}

// Entries are the schedule's entries as written.
func (s *Schedule) Entries() []string {
	out := make([]string, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.text
	}
	return out
}

// Limits reports whether any entry caps the bandwidth: a schedule of
// "off" entries only is no limit at all.
func (s *Schedule) Limits() bool {
	return slices.ContainsFunc(s.entries, func(e scheduleEntry) bool { return e.rate > 0 })
}

// At is the cap in force at t in bytes per second (0: unlimited), and the
// first instant after t when it changes (zero: never).
func (s *Schedule) At(t time.Time) (limit int64, next time.Time) {
	limit = s.limitAt(t)
	return limit, s.nextChange(t, limit)
}

// limitAt is the rate of the last entry holding at t, or 0.
func (s *Schedule) limitAt(t time.Time) int64 {
	lt := t.In(s.loc)
	h, m, sec := lt.Clock()
	sod := h*3600 + m*60 + sec
	today := uint8(1) << lt.Weekday()
	yesterday := uint8(1) << ((lt.Weekday() + 6) % 7)
	var limit int64
	for _, e := range s.entries {
		var holds bool
		if e.start < e.end {
			holds = e.days&today != 0 && sod >= e.start && sod < e.end
		} else {
			holds = e.days&today != 0 && sod >= e.start || e.days&yesterday != 0 && sod < e.end
		}
		if holds {
			limit = e.rate
		}
	}
	return limit
}

// nextChange finds the first instant after t whose limit is not cur. The
// limit changes only where the wall clock reaches an entry's start or
// end, or where it jumps (a zone transition), so those instants are the
// candidates: every boundary on each day ahead, as an instant under each
// offset the zone has around it (a wall time on a fall-back day happens
// twice), and every transition. A candidate that is no instant of that
// wall time is harmless: it is looked at in order, and nothing changes
// before the first real change.
func (s *Schedule) nextChange(t time.Time, cur int64) time.Time {
	lt := t.In(s.loc)
	y, mo, d := lt.Date()
	var bounds []int
	for _, e := range s.entries {
		bounds = append(bounds, e.start, e.end)
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	var cands []time.Time
	for off := range lookAhead {
		for _, b := range bounds {
			cands = append(cands, s.instants(y, mo, d+off, b)...)
		}
	}
	horizon := t.AddDate(0, 0, lookAhead)
	for z := lt; ; {
		_, end := z.ZoneBounds()
		if end.IsZero() || end.After(horizon) || !end.After(z) {
			break
		}
		cands = append(cands, end)
		z = end
	}
	slices.SortFunc(cands, time.Time.Compare)
	for _, c := range cands {
		if c.After(t) && s.limitAt(c) != cur {
			return c
		}
	}
	return time.Time{}
}

// instants are the instants whose wall clock may read sod on the given
// day: under the zone's offset then, a day before and a day after.
func (s *Schedule) instants(y int, mo time.Month, d, sod int) []time.Time {
	c := time.Date(y, mo, d, sod/3600, sod%3600/60, sod%60, 0, s.loc)
	wall := time.Date(y, mo, d, sod/3600, sod%3600/60, sod%60, 0, time.UTC)
	out := []time.Time{c}
	for _, at := range []time.Time{c.Add(-24 * time.Hour), c.Add(24 * time.Hour)} {
		_, off := at.Zone()
		if i := wall.Add(-time.Duration(off) * time.Second); !i.Equal(c) {
			out = append(out, i)
		}
	}
	return out
}

// parseEntry parses "[DAYS] [HH:MM-HH:MM] RATE".
func parseEntry(text string) (scheduleEntry, error) {
	e := scheduleEntry{text: strings.TrimSpace(text), days: allDays, start: 0, end: daySecs}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return e, errors.New("empty: write days, a time range and a rate, such as \"Mon-Fri 08:00-19:00 20MB/s\"")
	}
	if f := fields[0]; isLetter(f[0]) && !strings.EqualFold(f, "off") {
		days, err := parseDays(f)
		if err != nil {
			return e, err
		}
		e.days = days
		fields = fields[1:]
	}
	if len(fields) > 0 && strings.Contains(fields[0], ":") {
		start, end, err := parseRange(fields[0])
		if err != nil {
			return e, err
		}
		e.start, e.end = start, end
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return e, errors.New("no rate: end the entry with a rate such as \"20MB/s\", or off for unlimited")
	}
	rate := strings.Join(fields, " ")
	if strings.EqualFold(rate, "off") {
		return e, nil
	}
	n, err := units.ParseRate(rate)
	if err != nil || n == 0 {
		return e, fmt.Errorf("the rate %q is not a rate: write one such as \"20MB/s\" or \"512KiB/s\", or off for unlimited (days go first, then the time range)", rate)
	}
	e.rate = n
	return e, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseDays parses "Mon-Fri", "Sat,Sun", "Mon-Wed,Fri".
func parseDays(f string) (uint8, error) {
	var days uint8
	for item := range strings.SplitSeq(f, ",") {
		from, to, isRange := strings.Cut(item, "-")
		a, err := parseDay(from)
		if err != nil {
			return 0, err
		}
		b := a
		if isRange {
			if b, err = parseDay(to); err != nil {
				return 0, err
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			days |= 1 << d
			if d == b {
				break
			}
		}
	}
	return days, nil
}

func parseDay(s string) (int, error) {
	if i := slices.Index(dayNames, strings.ToLower(s)); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%q is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun, ranges such as Mon-Fri and lists such as Sat,Sun", s)
}

// parseRange parses "08:00-19:00" or "08:00:00-19:00:30".
func parseRange(f string) (start, end int, err error) {
	a, b, ok := strings.Cut(f, "-")
	if !ok {
		return 0, 0, fmt.Errorf("the time range %q has no end: write it as HH:MM-HH:MM, such as 08:00-19:00", f)
	}
	if start, err = parseClock(a, false); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(b, true); err != nil {
		return 0, 0, err
	}
	if start == end {
		return 0, 0, fmt.Errorf("the time range %q is empty: for a whole day write 00:00-24:00, or leave the range out", f)
	}
	return start, end, nil
}

// parseClock parses HH:MM or HH:MM:SS as seconds after midnight; an end
// may be 24:00.
func parseClock(s string, isEnd bool) (int, error) {
	bad := fmt.Errorf("%q is not a time of day: write HH:MM or HH:MM:SS, 00:00 to 23:59:59 (24:00 may end a range)", s)
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || len(p) > 2 || i > 0 && len(p) != 2 {
			return 0, bad
		}
		v[i] = n
	}
	sod := v[0]*3600 + v[1]*60 + v[2]
	switch {
	case v[1] > 59 || v[2] > 59:
		return 0, bad
	case sod == daySecs && isEnd:
		return sod, nil
	case sod >= daySecs:
		return 0, bad
	}
	return sod, nil
}
