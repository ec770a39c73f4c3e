package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/units"
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
		n, err := units.ParseSize(v)
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
	n, err := units.ParseRate(s)
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

// LevelName is the config spelling of a level.
func LevelName(l slog.Level) string {
	return strings.ToLower(l.String())
}

// sizeUnits maps a unit suffix (lower case) to its multiplier. KB/MB/GB are
// decimal, KiB/MiB/GiB binary.
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
