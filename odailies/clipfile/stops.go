package clipfile

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// stopPattern is an f- or T-stop as cameras and dailies tools write it: an
// optional f, f/ or T, the number, and optional tenths of a stop above it
// (ARRI's "2.8 + 3/10", or "T2.8 3/10").
var stopPattern = regexp.MustCompile(`^(?i:(f/?|t)\s*)?([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:\s*\+?\s*([0-9])\s*/\s*10)?$`)

// parseStop reads an f-stop (key fStop) or T-stop (tStop). Tenths are
// counted from the full stop the number names (2.8 is √2³), and the stop
// they reach is sent rounded to one decimal, as a lens ring reads:
// "2.8 + 3/10" is 2^(3.3/2) = 3.1, "4 + 5/10" is 4.8, "2.0 + 0/10" is 2.
func parseStop(key, s string) (float64, error) {
	m := stopPattern.FindStringSubmatch(s)
	if m == nil || !stopPrefixFits(key, m[1]) {
		return 0, fmt.Errorf("%q is not %s (like %s)", shorten(s), stopName(key), stopExample(key))
	}
	base, err := strconv.ParseFloat(m[2], 64)
	if err != nil || base <= 0 || base > 1000 {
		return 0, fmt.Errorf("%q is not %s in range", shorten(s), stopName(key))
	}
	if m[3] == "" || m[3] == "0" {
		return base, nil
	}
	tenths := float64(m[3][0] - '0')
	k := 2 * math.Log2(base) // the number of full stops above 1
	if math.Abs(k-math.Round(k)) < 0.1 {
		k = math.Round(k)
	}
	return round(math.Pow(2, (k+tenths/10)/2), 1), nil
}

// stopPrefixFits refuses an f in a T-stop cell and a T in an f-stop cell.
func stopPrefixFits(key, prefix string) bool {
	p := strings.ToLower(prefix)
	return p == "" || (key == "tStop") == (p == "t")
}

func stopName(key string) string {
	if key == "tStop" {
		return "a T-stop"
	}
	return "an f-stop"
}

func stopExample(key string) string {
	if key == "tStop" {
		return "T2.8, 2.8 + 3/10 or T2.8 3/10"
	}
	return "2.8, f/4 or 2.8 + 3/10"
}

// round rounds f to the given number of decimals.
func round(f float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(f*p) / p
}

// exposure is a shutter written as a time ("1/48", "1/50 sec"). v1 sends
// the shutter as an angle, which needs the clip's frame rate: resolveShutter
// turns it into one once the whole item is read.
type exposure struct {
	seconds float64
	text    string
}

// shutterTime is an exposure time: a fraction or a number, then an
// optional unit.
var shutterTime = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(?:/\s*([0-9]+(?:\.[0-9]+)?))?\s*(?i:(s|secs?|seconds?|ms))?$`)

// parseShutter reads a shutter angle ("180", "172.8°", "180 deg") as a
// number, or an exposure time ("1/48", "20000/1000000 s", "1/50 sec",
// "20.8 ms") as an exposure to resolve later. A bare number is an angle.
func parseShutter(s string) (any, error) {
	t := strings.TrimSpace(s)
	if angle, ok := cutUnit(t, "°", "degrees", "deg"); ok || decimal(t) {
		if !ok {
			angle = t
		}
		a, err := plainNumber(angle, s)
		if err == nil && (a <= 0 || a > 360) {
			err = fmt.Errorf("%q is not a shutter angle (above 0, up to 360)", shorten(s))
		}
		return a, err
	}
	m := shutterTime.FindStringSubmatch(t)
	if m == nil || (m[2] == "" && m[3] == "") {
		return nil, fmt.Errorf("%q is not a shutter angle (172.8°) or time (1/48, 1/50 sec)", shorten(s))
	}
	secs, _ := strconv.ParseFloat(m[1], 64)
	if m[2] != "" {
		d, _ := strconv.ParseFloat(m[2], 64)
		secs /= d
	}
	if strings.EqualFold(m[3], "ms") {
		secs /= 1000
	}
	if secs <= 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs > 60 {
		return nil, fmt.Errorf("%q is not a shutter time", shorten(s))
	}
	return exposure{seconds: secs, text: s}, nil
}

// resolveShutter turns a shutter time in clip into an angle at the clip's
// sensorFps, else its fps, else fallback (an ALE heading's FPS). NTSC rates
// count as their whole rate: a 1/48 shutter at 23.976 is the camera's 180°,
// as the camera shows it. The angle is rounded to 0.1°. When it cannot be
// done, the shutter is left out of clip and text is the cell's text.
func resolveShutter(clip map[string]any, fallback float64) (text string, err error) {
	e, ok := clip["shutter"].(exposure)
	if !ok {
		return "", nil
	}
	delete(clip, "shutter")
	fps := fallback
	for _, k := range []string{"fps", "sensorFps"} {
		if f, ok := clip[k].(float64); ok && f > 0 {
			fps = f
		}
	}
	if fps <= 0 {
		return e.text, fmt.Errorf("%q is a shutter time: it needs the clip's frame rate (fps or sensorFps) to become an angle", shorten(e.text))
	}
	if whole := math.Round(fps * 1.001); math.Abs(fps-whole/1.001) < 0.005 && fps != math.Round(fps) {
		fps = whole
	}
	angle := round(360*e.seconds*fps, 1)
	if angle <= 0 || angle > 360 {
		return e.text, fmt.Errorf("%q at %v fps is not a shutter angle (above 0, up to 360)", shorten(e.text), fps)
	}
	clip["shutter"] = angle
	return "", nil
}
