package main

import (
	"log/slog"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"512", 512, true}, {"512B", 512, true}, {"40MB", 40e6, true},
		{"40 MB", 40e6, true}, {"1.5GiB", 3 << 29, true}, {"64KiB", 64 << 10, true},
		{"2kb", 2000, true}, {"1TB", 1e12, true}, {" 3MiB ", 3 << 20, true}, {"0.5KB", 500, true},
		{"", 0, false}, {"MB", 0, false}, {"-1MB", 0, false}, {"40XB", 0, false}, {"1e3MB", 0, false},
		{"1.2.3MB", 0, false}, {".MB", 0, false}, {"99999999999TiB", 0, false}, {"NaN", 0, false}, {"40MB/s", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"  ", 0, true}, {"40MB/s", 40e6, true}, {"1.5MiB/s", 3 << 19, true},
		{"40MB", 0, false}, {"0MB/s", 0, false}, {"/s", 0, false}, {"fast/s", 0, false}, {"40MB/m", 0, false},
	}
	for _, tt := range tests {
		got, err := parseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRate(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatSizeReadsBack(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{0, "0B"}, {1, "1B"}, {64e6, "64MB"}, {20e6, "20MB"}, {1 << 30, "1GiB"}, {3 << 29, "1536MiB"}, {1500, "1500B"}, {2000, "2KB"}}
	for _, tt := range tests {
		got := formatSize(tt.in)
		if got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := parseSize(got); err != nil || back != tt.in {
			t.Errorf("parseSize(formatSize(%d)) = %d, %v", tt.in, back, err)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
		ok   bool
	}{{"debug", slog.LevelDebug, true}, {"INFO", slog.LevelInfo, true}, {"warn", slog.LevelWarn, true}, {"warning", slog.LevelWarn, true}, {"error", slog.LevelError, true}, {"trace", 0, false}, {"", 0, false}}
	for _, tt := range tests {
		got, err := parseLevel(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseLevel(%q) = %v, %v", tt.in, got, err)
		}
		if tt.ok {
			if back, _ := parseLevel(levelName(got)); back != got {
				t.Errorf("levelName(%v) = %q does not read back", got, levelName(got))
			}
		}
	}
}

func TestSizeValueAcceptsIntegers(t *testing.T) {
	var z sizeValue
	if err := z.UnmarshalTOML(int64(1234)); err != nil || z != 1234 {
		t.Errorf("int: %d, %v", z, err)
	}
	for _, bad := range []any{int64(-1), 1.5, true, []any{}} {
		if err := z.UnmarshalTOML(bad); err == nil {
			t.Errorf("UnmarshalTOML(%#v) accepted", bad)
		}
	}
}
