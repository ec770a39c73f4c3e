package clipfile

import (
	"math"
	"testing"

	"github.com/odailies/odailies-uploader/odailies"
)

// TestNotations reads each notation the README's value table lists.
func TestNotations(t *testing.T) {
	tests := []struct {
		key  string
		text string
		want any // nil: an error is expected
	}{
		{"tStop", "2.0 + 0/10", 2.0},
		{"tStop", "2.8 + 3/10", 3.1},
		{"tStop", "T2.8 3/10", 3.1},
		{"tStop", "T 2.8", 2.8},
		{"tStop", "4 + 5/10", 4.8},
		{"tStop", "11 + 5/10", 13.5},
		{"tStop", "2.0 + 11/10", nil},
		{"tStop", "f/2.8", nil},
		{"tStop", "T", nil},
		{"fStop", "f/4", 4.0},
		{"fStop", "F2.8", 2.8},
		{"fStop", "f/4 + 5/10", 4.8},
		{"fStop", "T2.8", nil},
		{"shutter", "180.0", 180.0},
		{"shutter", "172.8°", 172.8},
		{"shutter", "180 deg", 180.0},
		{"shutter", "400", nil},
		{"shutter", "1/0", nil},
		{"shutter", "open", nil},
		{"focallength", "32.00 mm", 32.0},
		{"focallength", "3.5 cm", 35.0},
		{"focusdistance", "885 mm", 0.885},
		{"focusdistance", "2.5 m", 2.5},
		{"focusdistance", `8' 6"`, 2.591},
		{"focusdistance", "8ft 6in", 2.591},
		{"focusdistance", `6"`, 0.152},
		{"focusdistance", "Infinity", nil},
		{"focusdistance", "'", nil},
		{"asa", "EI 800", 800.0},
		{"asa", "ISO800", 800.0},
		{"asa", "800 ASA", 800.0},
		{"asa", "EI", nil},
		{"whitepointkelvin", "5600K", 5600.0},
		{"whitepointkelvin", "5600 K", 5600.0},
		{"fps", "23.98", 23.976},
		{"fps", "23.976", 23.976},
		{"fps", "25.00", 25.0},
		{"fps", "29.97 DF", 29.97},
		{"fps", "47.95", 47.952},
		{"fps", "23.5", 23.5},
		{"sensorFps", "59.94 NDF", 59.94},
		{"date", "2026-04-22", "20260422"},
		{"date", "20260422", "20260422"},
		{"date", "04/22/2026", "20260422"},
		{"date", "4/2/2026", "20260402"},
		{"date", "22.04.2026", "20260422"},
		{"date", "2026:04:22", "20260422"},
		{"date", "22/04/2026", nil},
		{"date", "2026:02:30", nil},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.text, func(t *testing.T) {
			kind, _ := odailies.FieldKind(tt.key)
			got, err := textValue(tt.key, kind, tt.text)
			switch {
			case tt.want == nil && err == nil:
				t.Errorf("got %#v, want an error", got)
			case tt.want != nil && err != nil:
				t.Errorf("error %v, want %#v", err, tt.want)
			case tt.want != nil && got != tt.want:
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestShutterTime turns shutter times into angles at the clip's rate.
func TestShutterTime(t *testing.T) {
	tests := []struct {
		text string
		clip odailies.Clip
		want float64 // 0: an error is expected
	}{
		{"1/48", odailies.Clip{"fps": 24.0}, 180},
		{"1/48", odailies.Clip{"fps": 23.976}, 180},
		{"20000/1000000 s", odailies.Clip{"fps": 25.0}, 180},
		{"1/50 sec", odailies.Clip{"fps": 25.0}, 180},
		{"1/120", odailies.Clip{"fps": 29.97, "sensorFps": 59.94}, 180},
		{"20.8 ms", odailies.Clip{"fps": 24.0}, 179.7},
		{"1/48", odailies.Clip{}, 0},
		{"1/10", odailies.Clip{"fps": 24.0}, 0},
	}
	for _, tt := range tests {
		v, err := parseShutter(tt.text)
		if err != nil {
			t.Fatalf("%s: %v", tt.text, err)
		}
		tt.clip["shutter"] = v
		_, err = resolveShutter(tt.clip, 0)
		got, _ := tt.clip["shutter"].(float64)
		if (err != nil) != (tt.want == 0) || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s at %v: got %v, %v; want %v", tt.text, tt.clip, got, err, tt.want)
		}
	}
}

func TestParseArgsShutterTime(t *testing.T) {
	clip, err := ParseArgs("A1", []string{"shutter=1/48", "fps=24"}, Options{})
	if err != nil || clip["shutter"] != 180.0 {
		t.Errorf("got %v, %v; want shutter 180", clip, err)
	}
	if _, err := ParseArgs("A1", []string{"shutter=1/48"}, Options{}); err == nil {
		t.Error("a shutter time without a frame rate was accepted")
	}
}
