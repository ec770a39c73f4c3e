package clipfile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// plainNumber reads a decimal number, refusing NaN, infinities, hex and
// digit separators: what a spreadsheet shows, not what Go can parse. orig
// is the cell as written, for the error.
func plainNumber(t, orig string) (float64, error) {
	if !decimal(t) {
		return 0, fmt.Errorf("%q is not a number", shorten(orig))
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number in range", shorten(orig))
	}
	return f, nil
}

// cutUnit drops the first of units (any case) that s ends with, and the
// spaces before it.
func cutUnit(s string, units ...string) (string, bool) {
	for _, u := range units {
		if len(s) > len(u) && strings.EqualFold(s[len(s)-len(u):], u) {
			return strings.TrimSpace(s[:len(s)-len(u)]), true
		}
	}
	return s, false
}

// cutPrefix drops the first of prefixes (any case) that s starts with, and
// the spaces after it.
func cutPrefix(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return strings.TrimSpace(s[len(p):]), true
		}
	}
	return s, false
}

// parseFPS reads a frame rate: "23.976", "25.00", "24 fps", "29.97 DF"
// (drop-frame is a way of counting timecode, not another rate). A rate
// written rounded from an NTSC one is sent as that rate: 23.98 is 23.976,
// 47.95 is 47.952, 59.94 stays 59.94.
func parseFPS(t, orig string) (float64, error) {
	for {
		rest, ok := cutUnit(t, "NDF", "DF", "fps", "p")
		if !ok {
			break
		}
		t = rest
	}
	f, err := plainNumber(t, orig)
	if err != nil || f == math.Round(f) {
		return f, err
	}
	if whole := math.Round(f * 1.001); math.Abs(f-whole/1.001) < 0.005 {
		return round(whole/1.001, 3), nil
	}
	return f, nil
}

// parseFocal reads a focal length, sent in millimetres: "32", "32.00 mm",
// "3.2 cm".
func parseFocal(t, orig string) (float64, error) {
	if rest, ok := cutUnit(t, "mm"); ok {
		return plainNumber(rest, orig)
	}
	if rest, ok := cutUnit(t, "cm"); ok {
		f, err := plainNumber(rest, orig)
		return round(f*10, 3), err
	}
	return plainNumber(t, orig)
}

// imperial is a distance in feet and inches: 8' 6", 8ft 6in, 8', 6".
var imperial = regexp.MustCompile(`^(?:([0-9]+(?:\.[0-9]+)?)\s*(?:'|′|’|ft|feet|foot))?\s*(?:([0-9]+(?:\.[0-9]+)?)\s*(?:"|″|”|in|inch|inches))?$`)

// parseDistance reads a focus distance, sent in metres: a bare number is
// metres; "885 mm", "88.5 cm", "2.5 m", and feet and inches (8' 6", 8ft
// 6in) are converted, rounded to the millimetre.
func parseDistance(t, orig string) (float64, error) {
	for _, u := range []struct {
		unit   string
		metres float64
	}{{"mm", 0.001}, {"cm", 0.01}, {"m", 1}} {
		if rest, ok := cutUnit(t, u.unit); ok {
			f, err := plainNumber(rest, orig)
			return round(f*u.metres, 3), err
		}
	}
	if m := imperial.FindStringSubmatch(t); m != nil && (m[1] != "" || m[2] != "") {
		ft, _ := strconv.ParseFloat("0"+m[1], 64)
		in, _ := strconv.ParseFloat("0"+m[2], 64)
		return round((ft*12+in)*0.0254, 3), nil
	}
	return plainNumber(t, orig)
}

// parseISO reads an exposure index: "800", "EI 800", "ISO800", "800 ASA".
func parseISO(t, orig string) (float64, error) {
	rest, ok := cutPrefix(t, "ISO", "EI", "ASA")
	if !ok {
		rest, _ = cutUnit(t, "ISO", "EI", "ASA")
	}
	return plainNumber(rest, orig)
}

// parseKelvin reads a white balance: "5600", "5600K", "5600 K".
func parseKelvin(t, orig string) (float64, error) {
	rest, _ := cutUnit(t, "kelvin", "K")
	return plainNumber(rest, orig)
}

// dateLayouts are the ways camera and dailies tools write a day. Slashes
// are month first (04/22/2026, as US-locale tools write), dots day first
// (22.04.2026), colons year first (2026:04:22, EXIF).
var dateLayouts = []string{"20060102", "2006-1-2", "2006:1:2", "2006/1/2", "1/2/2006", "2.1.2006"}

// parseDate reads a day in any of dateLayouts, checks that it exists, and
// returns it as yyyyMMdd.
func parseDate(s string) (string, error) {
	t := strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, t); err == nil && len(t) <= 10 {
			return d.Format("20060102"), nil
		}
	}
	return "", fmt.Errorf("%q is not a date (like 20260422, 2026-04-22, 04/22/2026 or 22.04.2026)", shorten(s))
}
