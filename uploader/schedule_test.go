package uploader

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func mustSchedule(t *testing.T, loc *time.Location, entries ...string) *Schedule {
	t.Helper()
	s, err := ParseSchedule(entries)
	if err != nil {
		t.Fatalf("ParseSchedule(%q): %v", entries, err)
	}
	return s.In(loc)
}

const mb = 1_000_000

func TestParseScheduleErrors(t *testing.T) {
	cases := []struct {
		entries []string
		want    []string
	}{
		{[]string{""}, []string{"entry 1", "empty"}},
		{[]string{"Mon-Fri 08:00-19:00"}, []string{"entry 1", "no rate"}},
		{[]string{"10MB/s", "Mon-Fxi 08:00-19:00 20MB/s"}, []string{"entry 2", `"Fxi" is not a day`}},
		{[]string{"Monday 08:00-19:00 20MB/s"}, []string{`"Monday" is not a day`}},
		{[]string{"Mon 8-19 20MB/s"}, []string{"entry 1", `"8-19 20MB/s" is not a rate`}},
		{[]string{"Mon 08:00 20MB/s"}, []string{`"08:00" has no end`}},
		{[]string{"Mon 08:00-25:00 20MB/s"}, []string{`"25:00" is not a time of day`}},
		{[]string{"Mon 08:60-09:00 20MB/s"}, []string{`"08:60"`}},
		{[]string{"Mon 24:00-08:00 20MB/s"}, []string{`"24:00" is not a time of day`}},
		{[]string{"Mon 08:00-08:00 20MB/s"}, []string{"empty", "00:00-24:00"}},
		{[]string{"Mon 08:00-19:00 20MB"}, []string{`"20MB" is not a rate`}},
		{[]string{"Mon 08:00-19:00 0MB/s"}, []string{`"0MB/s" is not a rate`}},
		{[]string{"Mon 08:00-19:00 fast"}, []string{`"fast" is not a rate`}},
		{[]string{"08:00-19:00 Mon 20MB/s"}, []string{"days go first"}},
		{[]string{"Mon 8:0-9:00 1MB/s"}, []string{`"8:0"`}},
		{[]string{"bad 1MB/s", "Mon 1:00 x"}, []string{"entry 1", "entry 2"}},
	}
	for _, c := range cases {
		_, err := ParseSchedule(c.entries)
		if err == nil {
			t.Errorf("ParseSchedule(%q): no error", c.entries)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseSchedule(%q) = %q, want it to say %q", c.entries, err, w)
			}
		}
	}
}

func TestParseScheduleForms(t *testing.T) {
	utc := time.UTC
	// 2026-04-13 is a Monday.
	mon := func(h, m, s int) time.Time { return time.Date(2026, 4, 13, h, m, s, 0, utc) }
	cases := []struct {
		entry string
		at    time.Time
		want  int64
	}{
		{"Mon-Fri 08:00-19:00 20MB/s", mon(8, 0, 0), 20 * mb},
		{"Mon-Fri 08:00-19:00 20MB/s", mon(7, 59, 59), 0},
		{"Mon-Fri 08:00-19:00 20MB/s", mon(19, 0, 0), 0},
		{"mon-fri 08:00-19:00 20 MB/s", mon(12, 0, 0), 20 * mb},
		{"Sat,Sun 1MB/s", mon(12, 0, 0), 0},
		{"Sat,Sun 1MB/s", mon(12, 0, 0).AddDate(0, 0, -1), 1 * mb},
		{"Fri-Mon 1MB/s", mon(0, 0, 0), 1 * mb},
		{"Fri-Mon 1MB/s", mon(0, 0, 0).AddDate(0, 0, 1), 0},
		{"Sun,Mon-Tue 1MB/s", mon(0, 0, 0).AddDate(0, 0, 1), 1 * mb},
		{"00:00-24:00 512KiB/s", mon(23, 59, 59), 512 << 10},
		{"08:00:30-08:00:45 1MB/s", mon(8, 0, 30), 1 * mb},
		{"08:00:30-08:00:45 1MB/s", mon(8, 0, 45), 0},
		{"3MB/s", mon(3, 0, 0), 3 * mb},
		{"OFF", mon(3, 0, 0), 0},
		{"Mon 7:00-9:00 1MB/s", mon(8, 0, 0), 1 * mb},
	}
	for _, c := range cases {
		s := mustSchedule(t, utc, c.entry)
		if got, _ := s.At(c.at); got != c.want {
			t.Errorf("%q at %s = %d, want %d", c.entry, c.at.Format("Mon 15:04:05"), got, c.want)
		}
	}
}

// The issue's example, across a week: later entries win, gaps are
// unlimited.
func TestScheduleIssueExample(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	s := mustSchedule(t, paris, "Mon-Fri 08:00-19:00 20MB/s", "19:00-08:00 off", "Sat,Sun off")
	at := func(d, h, m int) time.Time { return time.Date(2026, 4, d, h, m, 0, 0, paris) } // 13 is a Monday
	steps := []struct {
		at   time.Time
		want int64
		next time.Time
	}{
		{at(13, 7, 0), 0, at(13, 8, 0)},
		{at(13, 8, 0), 20 * mb, at(13, 19, 0)},
		{at(13, 18, 59), 20 * mb, at(13, 19, 0)},
		{at(13, 23, 0), 0, at(14, 8, 0)},
		{at(17, 18, 0), 20 * mb, at(17, 19, 0)}, // Friday
		{at(17, 19, 0), 0, at(20, 8, 0)},        // through the weekend to Monday
		{at(18, 12, 0), 0, at(20, 8, 0)},
	}
	for _, c := range steps {
		got, next := s.At(c.at)
		if got != c.want || !next.Equal(c.next) {
			t.Errorf("at %s: %d until %s, want %d until %s", c.at, got, next, c.want, c.next)
		}
	}
}

// A range past midnight belongs to the day it starts.
func TestScheduleAcrossMidnight(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	s := mustSchedule(t, ny, "10MB/s", "Fri 22:00-02:00 1MB/s")
	at := func(d, h, m, sec int) time.Time { return time.Date(2026, 4, d, h, m, sec, 0, ny) } // 17 is a Friday
	steps := []struct {
		at   time.Time
		want int64
		next time.Time
	}{
		{at(16, 23, 0, 0), 10 * mb, at(17, 22, 0, 0)}, // Thursday night: not Friday's
		{at(17, 1, 0, 0), 10 * mb, at(17, 22, 0, 0)},  // Friday early: Thursday's would be
		{at(17, 22, 0, 0), 1 * mb, at(18, 2, 0, 0)},
		{at(17, 23, 59, 59), 1 * mb, at(18, 2, 0, 0)},
		{at(18, 0, 0, 0), 1 * mb, at(18, 2, 0, 0)},
		{at(18, 1, 59, 59), 1 * mb, at(18, 2, 0, 0)},
		{at(18, 2, 0, 0), 10 * mb, at(24, 22, 0, 0)},
	}
	for _, c := range steps {
		got, next := s.At(c.at)
		if got != c.want || !next.Equal(c.next) {
			t.Errorf("at %s: %d until %s, want %d until %s", c.at, got, next, c.want, c.next)
		}
	}
	// 00:00-24:00 on one day, and the day after.
	s = mustSchedule(t, ny, "Sat 00:00-24:00 1MB/s")
	if got, next := s.At(at(17, 23, 0, 0)); got != 0 || !next.Equal(at(18, 0, 0, 0)) {
		t.Errorf("Friday 23:00: %d until %s, want unlimited until Saturday 00:00", got, next)
	}
	if got, next := s.At(at(18, 23, 0, 0)); got != 1*mb || !next.Equal(at(19, 0, 0, 0)) {
		t.Errorf("Saturday 23:00: %d until %s, want 1MB/s until Sunday 00:00", got, next)
	}
}

// Europe/Paris springs forward on 2026-03-29: 02:00 CET is 03:00 CEST.
func TestScheduleSpringForward(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	utc := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }

	// An hour that does not exist that day never holds.
	s := mustSchedule(t, paris, "5MB/s", "02:00-03:00 1MB/s")
	for at := utc(28, 22, 0); at.Before(utc(29, 6, 0)); at = at.Add(time.Minute) {
		if got := s.limitAt(at); got != 5*mb {
			t.Fatalf("at %s: %d, want 5MB/s (02:00-03:00 does not exist)", at.In(paris), got)
		}
	}
	got, next := s.At(utc(29, 0, 30)) // 01:30 CET
	if want := time.Date(2026, 3, 30, 2, 0, 0, 0, paris); got != 5*mb || !next.Equal(want) {
		t.Errorf("01:30 CET: %d until %s, want 5MB/s until %s", got, next, want)
	}

	// A range the jump cuts ends at the jump.
	s = mustSchedule(t, paris, "5MB/s", "01:00-02:30 1MB/s")
	got, next = s.At(utc(29, 0, 30))
	if want := utc(29, 1, 0); got != 1*mb || !next.Equal(want) {
		t.Errorf("01:30 CET: %d until %s, want 1MB/s until %s (the jump to 03:00 CEST)", got, next, want)
	}
	// One starting inside the missing hour starts at the jump.
	s = mustSchedule(t, paris, "5MB/s", "02:30-04:00 1MB/s")
	got, next = s.At(utc(29, 0, 30))
	if want := utc(29, 1, 0); got != 5*mb || !next.Equal(want) {
		t.Errorf("01:30 CET: %d until %s, want 5MB/s until %s", got, next, want)
	}
	if got, next = s.At(utc(29, 1, 0)); got != 1*mb || !next.Equal(utc(29, 2, 0)) {
		t.Errorf("03:00 CEST: %d until %s, want 1MB/s until 04:00 CEST", got, next)
	}
}

// America/New_York falls back on 2026-11-01: 02:00 EDT is 01:00 EST, so
// 01:30 happens twice.
func TestScheduleFallBack(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	utc := func(h, m int) time.Time { return time.Date(2026, 11, 1, h, m, 0, 0, time.UTC) }
	s := mustSchedule(t, ny, "5MB/s", "01:30-02:00 1MB/s")
	steps := []struct {
		at   time.Time
		want int64
		next time.Time
	}{
		{utc(5, 0), 5 * mb, utc(5, 30)},  // 01:00 EDT
		{utc(5, 30), 1 * mb, utc(6, 0)},  // 01:30 EDT, until the clock goes back to 01:00
		{utc(6, 0), 5 * mb, utc(6, 30)},  // 01:00 EST
		{utc(6, 30), 1 * mb, utc(7, 0)},  // 01:30 EST, the second time
		{utc(7, 0), 5 * mb, utc(30, 30)}, // 02:00 EST; next 01:30 EST the day after
	}
	for _, c := range steps {
		got, next := s.At(c.at)
		if got != c.want || !next.Equal(c.next) {
			t.Errorf("at %s: %d until %s, want %d until %s", c.at.In(ny), got, next.In(ny), c.want, c.next.In(ny))
		}
	}
	// A night range holds through both 01:00 hours: 9 hours that night.
	s = mustSchedule(t, ny, "5MB/s", "Sat 23:00-07:00 1MB/s")
	got, next := s.At(time.Date(2026, 10, 31, 23, 0, 0, 0, ny))
	if want := time.Date(2026, 11, 1, 7, 0, 0, 0, ny); got != 1*mb || !next.Equal(want) || next.Sub(time.Date(2026, 10, 31, 23, 0, 0, 0, ny)) != 9*time.Hour {
		t.Errorf("Saturday 23:00: %d until %s, want 1MB/s for 9 hours", got, next)
	}
}

// TestScheduleNextIsExact checks At against a minute-by-minute walk, for
// random schedules in zones with DST (Lord Howe moves by 30 minutes) and
// times around their changes: the limit holds until next, and changes
// there.
func TestScheduleNextIsExact(t *testing.T) {
	zones := []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"}
	starts := []time.Time{
		time.Date(2026, 3, 28, 20, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC),
		time.Date(2026, 4, 4, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 7, 10, 0, 0, 0, time.UTC),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, zone := range zones {
		loc := mustZone(t, zone)
		for range 25 {
			entries := randomEntries(rng)
			s := mustSchedule(t, loc, entries...)
			at := starts[rng.IntN(len(starts))].Add(time.Duration(rng.IntN(48*60)) * time.Minute)
			limit, next := s.At(at)
			end := next
			if next.IsZero() {
				end = at.AddDate(0, 0, 8)
			}
			for m := at; m.Before(end); m = m.Add(time.Minute) {
				if got := s.limitAt(m); got != limit {
					t.Fatalf("%s %q at %s: %d until %s, but %d at %s", zone, entries, at.In(loc), limit, next, got, m.In(loc))
				}
			}
			if !next.IsZero() && s.limitAt(next) == limit {
				t.Fatalf("%s %q at %s: next change %s changes nothing", zone, entries, at.In(loc), next.In(loc))
			}
		}
	}
}

func randomEntries(rng *rand.Rand) []string {
	days := []string{"", "Mon-Fri ", "Sat,Sun ", "Sun ", "Sat-Mon ", "Tue,Thu "}
	rates := []string{"off", "1MB/s", "2MB/s", "5MB/s"}
	clock := func() string { return fmt.Sprintf("%02d:%02d", rng.IntN(24), 15*rng.IntN(4)) }
	var out []string
	for range 1 + rng.IntN(4) {
		r := ""
		if rng.IntN(4) > 0 {
			a, b := clock(), clock()
			if a == b {
				b = "24:00"
			}
			r = a + "-" + b + " "
		}
		out = append(out, days[rng.IntN(len(days))]+r+rates[rng.IntN(len(rates))])
	}
	return out
}

func TestScheduleWithoutChanges(t *testing.T) {
	s := mustSchedule(t, time.UTC, "Mon-Fri 2MB/s", "Sat,Sun 2MB/s")
	if got, next := s.At(time.Date(2026, 4, 13, 12, 0, 0, 0, time.UTC)); got != 2*mb || !next.IsZero() {
		t.Errorf("a schedule that never changes: %d until %s, want 2MB/s and no change", got, next)
	}
	if s, err := ParseSchedule(nil); s != nil || err != nil {
		t.Errorf("ParseSchedule(nil) = %v, %v; want no schedule", s, err)
	}
	if mustSchedule(t, time.UTC, "off", "Mon off").Limits() {
		t.Error("a schedule of off entries limits")
	}
}

func FuzzParseSchedule(f *testing.F) {
	f.Add("Mon-Fri 08:00-19:00 20MB/s")
	f.Add("Fri-Mon 22:00:30-02:00 off")
	f.Add("24:00-24:00 1B/s")
	f.Fuzz(func(t *testing.T, entry string) {
		s, err := ParseSchedule([]string{entry})
		if err != nil {
			return
		}
		at := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
		limit, next := s.In(mustZone(t, "Europe/Paris")).At(at)
		if limit < 0 || !next.IsZero() && !next.After(at) {
			t.Fatalf("%q: %d until %s", entry, limit, next)
		}
	})
}
