package clipfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/odailies"
)

func TestTextValue(t *testing.T) {
	tests := []struct {
		key  string
		text string
		want any // nil: an error is expected
	}{
		{"circled", "TRUE", true},
		{"circled", " yes ", true},
		{"circled", "Y", true},
		{"circled", "1", true},
		{"circled", "*", true},
		{"circled", "✓", true},
		{"circled", "No", false},
		{"circled", "n", false},
		{"circled", "0", false},
		{"circled", "maybe", nil},
		{"fps", "23.976", 23.976},
		{"fps", " 25 ", 25.0},
		{"fps", "24fps", 24.0},
		{"fps", "-1.5e2", -150.0},
		{"fps", ".5", 0.5},
		{"fps", "NaN", nil},
		{"fps", "Inf", nil},
		{"fps", "-infinity", nil},
		{"fps", "1e400", nil},
		{"fps", "0x18", nil},
		{"fps", "1_000", nil},
		{"fps", "23,976", nil},
		{"fps", ".", nil},
		{"fps", "1e", nil},
		{"fps", "+-1", nil},
		{"focallength", "35mm", 35.0},
		{"whitepointkelvin", "5600K", 5600.0},
		{"shutter", "172.8°", 172.8},
		{"fStop", "f/2.8", 2.8},
		{"tStop", "T2.1", 2.1},
		{"asa", "ISO 800", 800.0},
		{"date", "20260422", "20260422"},
		{"date", "2026-04-22", "20260422"},
		{"date", "20260229", nil},
		{"date", "20280229", "20280229"},
		{"date", "2026422", nil},
		{"date", "22/04/2026", nil},
		{"scene", " 22A ", " 22A "},
		{"description", "\xff\xfe", nil},
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

func TestTimecodeSeconds(t *testing.T) {
	tests := []struct {
		tc   string
		fps  float64
		want float64 // -1: an error is expected
	}{
		{"00:00:01:00", 24, 1},
		{"00:00:01:00", 23.976, 1.001},
		{"00:01:00:12", 25, 60.48},
		{"01:00:00:00", 25, 3600},
		{"00:10:00;00", 29.97, 600}, // ten minutes of drop-frame is 17982 frames
		{"00:01:00;02", 29.97, 60.06},
		{"00:10:00;00", 59.94, 600},
		{"00:00:01:24", 24, -1},
		{"00:60:00:00", 24, -1},
		{"00:00:01;00", 25, -1},
		{"00:00:01:00", 0, -1},
		{"00:00:1a:00", 24, -1},
		{"00:00:-1:00", 24, -1},
		{"00:01:00", 24, -1},
	}
	for _, tt := range tests {
		got, err := timecodeSeconds(tt.tc, tt.fps)
		switch {
		case tt.want < 0 && err == nil:
			t.Errorf("%s at %v: got %v, want an error", tt.tc, tt.fps, got)
		case tt.want >= 0 && (err != nil || got != tt.want):
			t.Errorf("%s at %v: got %v, %v; want %v", tt.tc, tt.fps, got, err, tt.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		kv      []string
		opts    Options
		want    odailies.Clip
		wantKey string // the key of the first *RowError when an error is expected
	}{
		{"A001", []string{"scene=22", "take=3", "circled=yes", "FPS=23.976"}, Options{},
			odailies.Clip{"name": "A001", "scene": "22", "take": "3", "circled": true, "fps": 23.976}, ""},
		{" A001 ", []string{"description="}, Options{},
			odailies.Clip{"name": "A001", "description": ""}, ""},
		{"A001", []string{"director=Ann"}, Options{AllowUnknown: true},
			odailies.Clip{"name": "A001", "director": "Ann"}, ""},
		{"A001", []string{"director=Ann"}, Options{}, nil, "director"},
		{"A001", []string{"fps="}, Options{}, nil, "fps"},
		{"A001", []string{"fps=24", "fps=25"}, Options{}, nil, "fps"},
		{"A001", []string{"scene"}, Options{}, nil, "scene"},
		{"A001", []string{"name=B001"}, Options{}, nil, "name"},
		{"A001", []string{"=3"}, Options{}, nil, ""},
		{"", nil, Options{}, nil, "name"},
	}
	for _, tt := range tests {
		got, err := ParseArgs(tt.name, tt.kv, tt.opts)
		if tt.want == nil {
			var re *RowError
			if !errors.As(err, &re) || re.Key != tt.wantKey {
				t.Errorf("ParseArgs(%q, %q): error %v, want a RowError for key %q", tt.name, tt.kv, err, tt.wantKey)
			}
			continue
		}
		if err != nil || !sameClip(got, tt.want) {
			t.Errorf("ParseArgs(%q, %q) = %v, %v; want %v", tt.name, tt.kv, got, err, tt.want)
		}
	}
}

func sameClip(a, b odailies.Clip) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path string
		want Format // 0: an error is expected
	}{
		{"day3.ALE", ALE},
		{"/tmp/clips.csv", CSV},
		{"clips.json", JSON},
		{"clips.txt", 0},
		{"clips", 0},
	}
	for _, tt := range tests {
		got, err := FormatOf(tt.path)
		if got != tt.want || (err == nil) != (tt.want != 0) {
			t.Errorf("FormatOf(%q) = %v, %v; want %v", tt.path, got, err, tt.want)
		}
	}
}

func TestRowErrorIs(t *testing.T) {
	_, _, err := Parse(stringsReader("name,director\nA,b\n"), CSV, Options{})
	var re *RowError
	if !errors.Is(err, ErrUnknownKey) || !errors.As(err, &re) || re.Line != 1 || re.Key != "director" {
		t.Errorf("got %v, want an unknown-key RowError on line 1", err)
	}
}

func TestErrorLimit(t *testing.T) {
	in := "name,fps\n"
	for i := range maxErrors + 5 {
		in += fmt.Sprintf("A%d,fast\n", i)
	}
	_, _, err := Parse(stringsReader(in), CSV, Options{})
	if err == nil || !strings.HasSuffix(err.Error(), "and 5 more problems") {
		t.Errorf("got %v, want %d errors and a count of the rest", err, maxErrors)
	}
}

func TestCSVHeaderAfterBlankLines(t *testing.T) {
	_, _, err := Parse(stringsReader("\n\nname,director\nA,b\n"), CSV, Options{})
	var re *RowError
	if !errors.As(err, &re) || re.Line != 3 {
		t.Errorf("got %v, want an error on line 3, where the header is", err)
	}
}
