// Package units is the project's one system of sizes and rates. People
// write sizes in the config with decimal (KB, MB, GB: powers of 1000) or
// binary (KiB, MiB, GiB: powers of 1024) units; everything the program
// shows a person (the status log, status, check) prints binary units, one
// decimal: "1.5 MiB", "12.0 MiB/s".
package units

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ErrBadSize is wrapped by every size and rate parse error.
var ErrBadSize = errors.New("use a number and a unit such as \"64MB\", \"1.5GiB\" or \"512KiB\"")

// ParseSize parses "40MB", "1.5GiB", "512" (bytes) into a byte count.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	mult, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if !ok || i == 0 {
		return 0, fmt.Errorf("bad size %q: %w", s, ErrBadSize)
	}
	num, err := strconv.ParseFloat(t[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: %w", s, ErrBadSize)
	}
	n := num * mult
	if math.IsNaN(n) || n >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return int64(n), nil
}

// ParseRate parses "40MB/s" into bytes per second; "" is 0 (unlimited).
func ParseRate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	size, ok := strings.CutSuffix(t, "/s")
	if !ok {
		return 0, fmt.Errorf("bad rate %q: write it per second, such as \"40MB/s\" (or \"\" for unlimited)", s)
	}
	n, err := ParseSize(size)
	if err != nil {
		return 0, fmt.Errorf("bad rate %q: %w", s, ErrBadSize)
	}
	if n == 0 {
		return 0, fmt.Errorf("bad rate %q: must be above zero (use \"\" for unlimited)", s)
	}
	return n, nil
}

// Exact writes n in the largest unit that divides it exactly, so the
// printed value reads back as the same number: 64000000 → "64MB",
// 1610612736 → "1536MiB". It is for config values (check prints them).
func Exact(n int64) string {
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

// Bytes prints a byte count for people in binary units: "512 B",
// "1.5 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Rate prints bytes per second for people, in the units of Bytes.
func Rate(bytesPerSecond float64) string {
	if bytesPerSecond < 0 || math.IsNaN(bytesPerSecond) {
		bytesPerSecond = 0
	}
	return Bytes(int64(bytesPerSecond)) + "/s"
}
