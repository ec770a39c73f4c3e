package clipfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
func checkParsed(t *testing.T, data []byte, format Format, allow bool) {
	clips, _, err := Parse(bytes.NewReader(data), format, Options{AllowUnknown: allow})
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
