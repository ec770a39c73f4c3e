package config

import (
	"log/slog"
	"testing"
)

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
			if back, _ := parseLevel(LevelName(got)); back != got {
				t.Errorf("LevelName(%v) = %q does not read back", got, LevelName(got))
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
