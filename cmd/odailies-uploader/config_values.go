package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
)

// The types below are what the TOML decoder fills for values that are
// written as text (durations, sizes, rates, levels). Each parses itself in
// UnmarshalTOML, so the decoder reports a bad value with its key and line.

// durationValue is a Go duration written as a string: "5s", "1h30m".
type durationValue time.Duration

// UnmarshalTOML parses a Go duration string.
func (d *durationValue) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want a duration in quotes, such as \"5s\" or \"10m\", got %s", tomlKind(v))
	}
	parsed, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("bad duration %q: use a Go duration such as \"5s\", \"10m\" or \"1h30m\"", s)
	}
	*d = durationValue(parsed)
	return nil
}

// sizeValue is a byte count: a bare integer, or a string such as "64MB"
// or "1.5GiB".
type sizeValue int64

// UnmarshalTOML accepts an integer number of bytes or a size string.
func (z *sizeValue) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return fmt.Errorf("bad size %d: must not be negative", v)
		}
		*z = sizeValue(v)
		return nil
	case string:
		n, err := parseSize(v)
		if err != nil {
			return err
		}
		*z = sizeValue(n)
		return nil
	}
	return fmt.Errorf("want a size such as \"64MB\" or \"1.5GiB\", got %s", tomlKind(v))
}

// rateValue is a bandwidth in bytes per second written as "40MB/s"; the
// empty string is "unlimited" (0).
type rateValue int64

// UnmarshalTOML parses a rate string.
func (r *rateValue) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want a rate in quotes such as \"40MB/s\" (or \"\" for unlimited), got %s", tomlKind(v))
	}
	n, err := parseRate(s)
	if err != nil {
		return err
	}
	*r = rateValue(n)
	return nil
}

// levelValue is a log level name.
type levelValue slog.Level

// UnmarshalTOML parses debug, info, warn or error.
func (l *levelValue) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("want one of \"debug\", \"info\", \"warn\", \"error\", got %s", tomlKind(v))
	}
	lvl, err := parseLevel(s)
	if err != nil {
		return err
	}
	*l = levelValue(lvl)
	return nil
}

// parseLevel maps a level name to its slog level.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("bad log level %q: use \"debug\", \"info\", \"warn\" or \"error\"", s)
}

// levelName is the config spelling of a level.
func levelName(l slog.Level) string {
	return strings.ToLower(l.String())
}

// sizeUnits maps a unit suffix (lower case) to its multiplier. KB/MB/GB are
// decimal, KiB/MiB/GiB binary.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// errBadSize is wrapped by every size and rate parse error.
var errBadSize = errors.New("use a number and a unit such as \"64MB\", \"1.5GiB\" or \"512KiB\"")

// parseSize parses "40MB", "1.5GiB", "512" (bytes) into a byte count.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	mult, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if !ok || i == 0 {
		return 0, fmt.Errorf("bad size %q: %w", s, errBadSize)
	}
	num, err := strconv.ParseFloat(t[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: %w", s, errBadSize)
	}
	n := num * mult
	if math.IsNaN(n) || n >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return int64(n), nil
}

// parseRate parses "40MB/s" into bytes per second; "" is 0 (unlimited).
func parseRate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	size, ok := strings.CutSuffix(t, "/s")
	if !ok {
		return 0, fmt.Errorf("bad rate %q: write it per second, such as \"40MB/s\" (or \"\" for unlimited)", s)
	}
	n, err := parseSize(size)
	if err != nil {
		return 0, fmt.Errorf("bad rate %q: %w", s, errBadSize)
	}
	if n == 0 {
		return 0, fmt.Errorf("bad rate %q: must be above zero (use \"\" for unlimited)", s)
	}
	return n, nil
}

// formatSize writes n in the largest unit that divides it exactly, so the
// printed value reads back as the same number: 64000000 → "64MB",
// 1610612736 → "1.5GiB" is not exact in whole units and prints as "1536MiB".
func formatSize(n int64) string {
	units := []struct {
		name string
		mult int64
	}{{"GiB", 1 << 30}, {"GB", 1e9}, {"MiB", 1 << 20}, {"MB", 1e6}, {"KiB", 1 << 10}, {"KB", 1e3}}
	for _, u := range units {
		if n != 0 && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}

// tomlKind names the TOML type of a decoded value for error messages.
func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}
