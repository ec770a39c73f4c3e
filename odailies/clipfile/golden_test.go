package clipfile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// TestParseGolden parses every clip file in testdata and compares what came
// out (warnings, error text, items as JSON) with its .golden file.
func TestParseGolden(t *testing.T) {
	tests := []struct {
		file string
		opts Options
	}{
		{"day3.ale", Options{}},
		{"bad.ale", Options{}},
		{"commas.ale", Options{}},
		{"noname.ale", Options{}},
		{"clips.csv", Options{}},
		{"semicolon.csv", Options{}},
		{"bad.csv", Options{}},
		{"badvalues.csv", Options{}},
		{"unknown.csv", Options{}},
		{"unknown.csv", Options{AllowUnknown: true}},
		{"dupheader.csv", Options{}},
		{"clips.json", Options{}},
		{"bad.json", Options{}},
		{"syntax.json", Options{}},
		{"keyed.json", Options{}},
		{"answer.json", Options{}},
		{"shape.json", Options{}},
		{"alexa35.ale", Options{}},
		{"alexa35-bad.ale", Options{}},
		{"alexa35-bad.ale", Options{SkipInvalid: true}},
		{"resolve.ale", Options{}},
		{"soundroll.ale", Options{}},
		{"red.ale", Options{}},
		{"notations.csv", Options{}},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.opts.AllowUnknown {
			name += "-allow-unknown"
		}
		if tt.opts.SkipInvalid {
			name += "-skip-invalid"
		}
		t.Run(name, func(t *testing.T) {
			got := parseReport(t, filepath.Join("testdata", tt.file), tt.opts)
			checkGolden(t, filepath.Join("testdata", name+".golden"), got)
		})
	}
}

// parseReport parses one file and writes down everything Parse said.
func parseReport(t *testing.T, path string, opts Options) []byte {
	t.Helper()
	format, err := FormatOf(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clips, rep, err := Parse(f, format, opts)
	var b bytes.Buffer
	for _, w := range rep.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	for _, s := range rep.Skipped {
		b.WriteString("skipped: " + s.String() + " (" + s.Err.Error() + ")\n")
	}
	if err != nil {
		b.WriteString("error:\n" + err.Error() + "\n")
	}
	if clips != nil {
		out, err := json.MarshalIndent(clips, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(out, '\n'))
	}
	return b.Bytes()
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, strings.TrimSpace(string(want)))
	}
}
