package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestVerifiedCounts: status.json's verified key holds the done files by
// verification, named as the delivery report names them, and status says
// them in words, the unverified ones with the reason.
func TestVerifiedCounts(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	doc := sample(now)
	doc.Verified = Verified{ETag: 3, ContentMD5: 1, None: 2, Unknown: 4}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var keys struct {
		Verified map[string]int `json:"verified"`
	}
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"md5+etag": 3, "md5": 1, "none": 2, "unknown": 4}
	if len(keys.Verified) != len(want) {
		t.Errorf("verified = %v, want %v", keys.Verified, want)
	}
	for k, n := range want {
		if keys.Verified[k] != n {
			t.Errorf("verified[%q] = %d, want %d", k, keys.Verified[k], n)
		}
	}
	var out bytes.Buffer
	Render(&out, doc, now, "running")
	line := `4 file(s) checked by the storage (3 with its ETag, 1 by Content-MD5 only), 2 not verified (upload.verify = "none"), 4 uploaded before verification existed`
	if !strings.Contains(out.String(), line) {
		t.Errorf("status does not say %q:\n%s", line, out.String())
	}
	out.Reset()
	Render(&out, sample(now), now, "running")
	if strings.Contains(out.String(), "Verified:") {
		t.Errorf("a Verified line with nothing done verified:\n%s", out.String())
	}
}
