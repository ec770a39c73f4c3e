package clipfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/odailies/odailies-uploader/odailies"
)

// seedFuzz adds every testdata file with the given extension to the corpus.
func seedFuzz(f *testing.F, ext string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*."+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
}

// checkParsed holds every parse to the package's promises: either an error
// and no items, or items that each have a unique name and encode as JSON.
// Odd-length inputs are read with SkipInvalid.
func checkParsed(t *testing.T, data []byte, format Format, allow bool) {
	clips, _, err := Parse(bytes.NewReader(data), format, Options{AllowUnknown: allow, SkipInvalid: len(data)%2 == 1})
	if err != nil {
		if clips != nil {
			t.Fatalf("error %v came with %d items", err, len(clips))
		}
		return
	}
	seen := map[string]bool{}
	for _, c := range clips {
		name, ok := c["name"].(string)
		if !ok || name == "" || seen[name] {
			t.Fatalf("item with a missing or repeated name: %v", c)
		}
		seen[name] = true
	}
	if _, err := json.Marshal(clips); err != nil {
		t.Fatalf("items do not encode: %v", err)
	}
}

func FuzzParseALE(f *testing.F) {
	seedFuzz(f, "ale")
	f.Add([]byte("Heading\nFPS\t29.97\nColumn\nName\tDuration\nData\nx\t00:10:00;02\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, allow bool) { checkParsed(t, data, ALE, allow) })
}

func FuzzParseCSV(f *testing.F) {
	seedFuzz(f, "csv")
	f.Fuzz(func(t *testing.T, data []byte, allow bool) { checkParsed(t, data, CSV, allow) })
}

func FuzzParseJSON(f *testing.F) {
	seedFuzz(f, "json")
	f.Fuzz(func(t *testing.T, data []byte, allow bool) { checkParsed(t, data, JSON, allow) })
}

func stringsReader(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }

// FuzzNotation holds the notation readers to their promise for every
// key: no panic, and a value of the key's kind that encodes as JSON.
func FuzzNotation(f *testing.F) {
	for _, s := range []string{"2.8 + 3/10", "T2.8 3/10", "f/4", "1/48", "20000/1000000 s", "172.8°",
		`8' 6"`, "8ft 6in", "885 mm", "EI 800", "800 ASA", "5600 K", "29.97 DF", "04/22/2026", "22.04.2026", "3*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range odailies.Fields {
			clip := odailies.Clip{"fps": 24.0}
			v, err := textValue(field.Name, field.Kind, s)
			if err != nil {
				continue
			}
			clip[field.Name] = v
			if _, err := resolveShutter(clip, 0); err == nil {
				if !ofKind(clip[field.Name], field.Kind) {
					t.Fatalf("%s=%q gave %#v, not a %v", field.Name, s, clip[field.Name], field.Kind)
				}
				if _, err := json.Marshal(clip); err != nil {
					t.Fatalf("%s=%q gave %#v, which does not encode: %v", field.Name, s, clip[field.Name], err)
				}
			}
		}
	})
}

// ofKind reports whether v is what a key of kind k holds in an item.
func ofKind(v any, k odailies.Kind) bool {
	switch v.(type) {
	case float64:
		return k == odailies.Number
	case bool:
		return k == odailies.Bool
	case string:
		return k == odailies.String
	}
	return false
}
