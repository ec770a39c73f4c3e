package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestRenderWatches: each show of several is a line with its state and
// counts, a blocked one with its problem; files name their show.
func TestRenderWatches(t *testing.T) {
	now := time.Now()
	doc := &Doc{State: Running, Updated: now, Done: 7, Queued: 3,
		ActiveFiles: []ActiveFile{{Path: "_graded/a.mov", Size: 10, BytesSent: 5, Watch: "Show A"}},
		Watches: []Watch{
			{Name: "Show A", State: Running, Root: "/d/a", ProjectID: "pa", Done: 7},
			{Name: "Show B", State: "auth-error", Detail: "the API does not accept the token", Root: "/d/b", ProjectID: "pb", Queued: 3},
		}}
	var b bytes.Buffer
	Render(&b, doc, now, "odailies-uploader")
	out := b.String()
	for _, want := range []string{
		`Show "Show A":  running; queued 0, active 0, done 7`,
		`Show "Show B":  auth-error; queued 3, active 0, done 0`,
		"the API does not accept the token",
		"[Show A] _graded/a.mov",
		"queued 3 (0 B), active 0, done 7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"watches":[{"name":"Show A","state":"running"`, `"queued":3`, `"watch":"Show A"`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("status.json lacks %s: %s", key, raw)
		}
	}
}
