package clipfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// isTimecode reports text shaped like HH:MM:SS:FF (or ;FF, drop-frame).
func isTimecode(s string) bool {
	return strings.Count(strings.ReplaceAll(strings.TrimSpace(s), ";", ":"), ":") == 3
}

// timecodeSeconds turns a duration written as timecode into seconds at the
// clip's frame rate. Timecode counts whole frames at the nominal rate (24
// for 23.976); a ';' before the frames means drop-frame counting, which
// exists only for 29.97 and 59.94. The result is rounded to milliseconds.
func timecodeSeconds(s string, fps float64) (float64, error) {
	parts, drop, err := splitTimecode(s)
	if err != nil {
		return 0, err
	}
	if fps <= 0 || fps > 1000 {
		return 0, fmt.Errorf("timecode %q needs a frame rate (an FPS column or heading)", shorten(s))
	}
	nominal := int(math.Round(fps))
	h, m, sec, f := parts[0], parts[1], parts[2], parts[3]
	if m > 59 || sec > 59 || f >= nominal {
		return 0, fmt.Errorf("%q is not a timecode at %v fps", shorten(s), fps)
	}
	frames := ((h*60+m)*60+sec)*nominal + f
	if drop {
		if nominal%30 != 0 || fps == float64(nominal) {
			return 0, fmt.Errorf("%q is drop-frame timecode, which %v fps does not have", shorten(s), fps)
		}
		minutes := h*60 + m
		frames -= nominal / 15 * (minutes - minutes/10)
	}
	return math.Round(float64(frames)/fps*1000) / 1000, nil
}

// splitTimecode reads the four fields of a timecode and whether the frames
// are counted drop-frame.
func splitTimecode(s string) ([4]int, bool, error) {
	var parts [4]int
	t := strings.TrimSpace(s)
	drop := strings.Contains(t, ";")
	fields := strings.Split(strings.ReplaceAll(t, ";", ":"), ":")
	if len(fields) != 4 {
		return parts, false, fmt.Errorf("%q is not a timecode (HH:MM:SS:FF)", shorten(s))
	}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || len(f) > 3 || !digits(f) {
			return parts, false, fmt.Errorf("%q is not a timecode (HH:MM:SS:FF)", shorten(s))
		}
		parts[i] = n
	}
	return parts, drop, nil
}
