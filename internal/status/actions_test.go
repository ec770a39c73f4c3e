package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestRenderActionFailures: a failed after-upload action is listed apart
// from the failed uploads, with its error and fix, and without the advice
// to run retry (the daemon tries it again itself); the counts line says
// where the actions are.
func TestRenderActionFailures(t *testing.T) {
	now := time.Now()
	doc := sample(now)
	doc.ActionsDone, doc.ActionsPending, doc.ActionsFailed = 12, 3, 1
	doc.RecentFailures = append(doc.RecentFailures, RecentFailure{Path: "_graded/c.mov", Action: "move", At: now.UTC(),
		Error: `uploaded, but could not move it (watch.after_upload = "move"): rename …: permission denied: dit needs write access to /dailies/_graded`})
	var b bytes.Buffer
	Render(&b, doc, now, "running")
	out := b.String()
	for _, want := range []string{
		"After upload:  12 moved or deleted, 3 pending, 1 failed (tried again by themselves; see below)\n",
		"Recent failures (fix the cause, then 'odailies-uploader retry'):\n  " + now.Local().Format(time.DateTime) + "  _graded/b.mov\n      storage refused it: 400\n",
		"Uploaded, but the after-upload action failed (fix the cause; the daemon tries again every few minutes and at start, no retry needed):\n  " +
			now.Local().Format(time.DateTime) + "  _graded/c.mov\n      uploaded, but could not move it (watch.after_upload = \"move\"): rename …: permission denied: dit needs write access to /dailies/_graded\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks\n%s\nin:\n%s", want, out)
		}
	}
	if strings.Index(out, "_graded/c.mov") < strings.Index(out, "Uploaded, but") {
		t.Errorf("the action failure is listed among the upload failures:\n%s", out)
	}

	// Only action failures: no "retry" header at all.
	doc.RecentFailures = doc.RecentFailures[1:]
	b.Reset()
	Render(&b, doc, now, "running")
	if strings.Contains(b.String(), "Recent failures") {
		t.Errorf("an action failure alone shows the retry advice:\n%s", b.String())
	}
	// No actions: no line.
	doc = sample(now)
	b.Reset()
	Render(&b, doc, now, "running")
	if strings.Contains(b.String(), "After upload") {
		t.Errorf("a daemon that keeps every file shows an after-upload line:\n%s", b.String())
	}
}

// TestRecentFailureActionKey: an action failure carries "action" in
// status.json; an upload failure does not.
func TestRecentFailureActionKey(t *testing.T) {
	data, err := json.Marshal([]RecentFailure{{Path: "a", Error: "e"}, {Path: "b", Error: "e", Action: "delete"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got[0]["action"]; ok {
		t.Errorf("an upload failure has an action key: %s", data)
	}
	if got[1]["action"] != "delete" {
		t.Errorf("an action failure's action: %s", data)
	}
}
