package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/clipfile"
)

func TestClipsSplitBatches(t *testing.T) {
	tests := []struct {
		clips, n int
		want     []int // batch sizes
	}{
		{1, 200, []int{1}},
		{200, 200, []int{200}},
		{201, 200, []int{200, 1}},
		{5, 2, []int{2, 2, 1}},
		{3, 1, []int{1, 1, 1}},
	}
	for _, tt := range tests {
		clips := make([]odailies.Clip, tt.clips)
		for i := range clips {
			clips[i] = odailies.Clip{"name": fmt.Sprint(i)}
		}
		var got []int
		next := 0
		for _, b := range clipfile.Batches(clips, tt.n) {
			got = append(got, len(b))
			for _, c := range b {
				if c["name"] != fmt.Sprint(next) {
					t.Errorf("%d clips by %d: clip %v out of order", tt.clips, tt.n, c["name"])
				}
				next++
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%d clips by %d: batches %v, want %v", tt.clips, tt.n, got, tt.want)
		}
	}
}

// TestClipsDryRunBodyIsTheRequest checks that the ordered, indented body -dry-run
// prints decodes to the same value as the body the client sends.
func TestClipsDryRunBodyIsTheRequest(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "clips", "day3.ale"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	clips, _, err := clipfile.Parse(f, clipfile.ALE, clipfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clips[0]["x-extra"] = "kept"
	printed, err := clipfile.PatchBody(clips)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := json.Marshal(map[string]any{"data": clips})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := decodedText(t, printed), decodedText(t, sent); a != b {
		t.Errorf("dry-run body\n%s\ndiffers from the request\n%s", a, b)
	}
}

// decodedText is the JSON in b decoded and encoded again in a fixed form.
func decodedText(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return jsonText(t, v)
}
