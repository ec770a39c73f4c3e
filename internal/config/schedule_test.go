package config

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestBandwidthScheduleLoads(t *testing.T) {
	entries := []string{"Mon-Fri 08:00-19:00 20MB/s", "19:00-08:00 off", "Sat,Sun off"}
	body := configtest.Body(configtest.Root(t)) + "[upload]\nbandwidth_schedule = [\n  \"" + strings.Join(entries, "\",\n  \"") + "\",\n]\n"
	cfg, _ := load(t, body, nil)
	s := cfg.Upload.BandwidthSchedule
	if s == nil || !slices.Equal(s.Entries(), entries) {
		t.Fatalf("schedule = %v, want %q", s, entries)
	}
	if got := cfg.Settings()["upload.bandwidth_schedule"]; !strings.Contains(got, `"Sat,Sun off"`) {
		t.Errorf("check shows %q", got)
	}
	if cfg.Upload.Bandwidth != 0 {
		t.Errorf("bandwidth = %d, want 0 beside a schedule", cfg.Upload.Bandwidth)
	}
}

func TestBandwidthScheduleRefused(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"bad day", "[upload]\nbandwidth_schedule = [\"10MB/s\", \"Mon-Fxi 08:00-19:00 20MB/s\"]\n",
			[]string{"line 8", "upload.bandwidth_schedule", "entry 2", `"Fxi" is not a day`}},
		{"bad time", "[upload]\nbandwidth_schedule = [\"Mon 08:00-25:00 1MB/s\"]\n",
			[]string{"line 8", "upload.bandwidth_schedule", "entry 1", `"25:00"`}},
		{"no rate", "[upload]\nbandwidth_schedule = [\"Mon 08:00-19:00\"]\n",
			[]string{"upload.bandwidth_schedule", "no rate"}},
		{"not a list", "[upload]\nbandwidth_schedule = \"Mon 08:00-19:00 1MB/s\"\n",
			[]string{"line 8", "upload.bandwidth_schedule", "list"}},
		{"not strings", "[upload]\nbandwidth_schedule = [1]\n",
			[]string{"upload.bandwidth_schedule", "entry 1", "quotes"}},
		{"both", "[upload]\nbandwidth = \"40MB/s\"\nbandwidth_schedule = [\"Sat,Sun off\"]\n",
			[]string{"line 9", "upload.bandwidth_schedule", "upload.bandwidth:", "40MB/s"}},
	}
	for _, c := range cases {
		p := configtest.Write(t, t.TempDir(), configtest.Body(configtest.Root(t))+c.text)
		_, _, err := Load(p, nil)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: Load = %v, want a *Error", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
	}
}
