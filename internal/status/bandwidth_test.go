package status

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRenderBandwidth(t *testing.T) {
	now := time.Date(2026, 4, 13, 16, 30, 0, 0, time.Local)
	cases := []struct {
		b    Bandwidth
		want string // "" means no Bandwidth line
	}{
		{Bandwidth{}, ""},
		{Bandwidth{Limit: 40 << 20}, "Bandwidth:  40.0 MiB/s\n"},
		{Bandwidth{Limit: 20e6, Scheduled: true, NextChange: now.Add(150 * time.Minute)},
			"Bandwidth:  19.1 MiB/s by the schedule, unlimited from Mon 13 Apr 19:00:00 (in 2h30m0s)\n"},
		{Bandwidth{Scheduled: true, NextChange: now.Add(time.Hour), NextLimit: 1 << 20},
			"Bandwidth:  unlimited by the schedule, 1.0 MiB/s from Mon 13 Apr 17:30:00 (in 1h0m0s)\n"},
		{Bandwidth{Limit: 1 << 20, Scheduled: true}, "Bandwidth:  1.0 MiB/s by the schedule\n"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		Render(&out, &Doc{State: Running, Updated: now, Bandwidth: c.b}, now, "running")
		var line string
		for l := range strings.Lines(out.String()) {
			if strings.HasPrefix(l, "Bandwidth:") {
				line = strings.Join(strings.Fields(l), " ") + "\n"
			}
		}
		want := strings.Join(strings.Fields(c.want), " ")
		if want != "" {
			want += "\n"
		}
		if line != want {
			t.Errorf("%+v: line %q, want %q", c.b, line, want)
		}
	}
}
