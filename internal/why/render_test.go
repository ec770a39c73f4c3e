package why

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

func sample() Result {
	return Result{Answers: []Answer{
		{Path: "_graded/a.mov", State: Failed, Reason: "the upload failed", Fix: "run: odailies-uploader retry _graded/a.mov",
			Failure: &Failure{Reason: "403", Attempts: 2, At: at, Retry: "odailies-uploader retry _graded/a.mov"}},
		{Path: "_graded/b.mov", Watch: "Show B", State: NotSeen, Reason: "not in the queue",
			Unknown: []string{"the daemon is not running: whether a process holds it open is not known"}},
		{Path: "_graded", State: Folder, Reason: "a folder: 2 done, 1 settling", Folder: &Contents{
			Counts: map[State]int{Done: 2, Settling: 1},
			Files:  []Answer{{Path: "_graded/c.mov", State: Settling, Reason: "settling"}}, More: 3}},
	}}
}

// TestWrite: what a person reads, the daemon stopped: the note first, then
// per path its state, reason, fix and what is not known, a folder's
// files indented under it.
func TestWrite(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := `The daemon is not running: answers come from the queue file and the rules.

_graded/a.mov: failed
  the upload failed
  fix: run: odailies-uploader retry _graded/a.mov

[Show B] _graded/b.mov: not-seen
  not in the queue
  not known: the daemon is not running: whether a process holds it open is not known

_graded: folder
  a folder: 2 done, 1 settling
  _graded/c.mov: settling
    settling
  … and 3 more not done
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	r := sample()
	r.DaemonRunning = true
	b.Reset()
	Print(&b, r, false)
	if strings.Contains(b.String(), "answers come from") || !strings.HasPrefix(b.String(), "_graded/a.mov: failed\n") {
		t.Errorf("running:\n%s", b.String())
	}
}

// TestJSONKeys: the keys scripts read (the package doc's), and nothing
// empty written out.
func TestJSONKeys(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, sample(), true); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Running *bool            `json:"daemon_running"`
		Answers []map[string]any `json:"answers"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Running == nil || *doc.Running || len(doc.Answers) != 3 {
		t.Fatalf("%s", b.String())
	}
	f := doc.Answers[0]
	for _, k := range []string{"path", "state", "reason", "fix", "failure"} {
		if _, ok := f[k]; !ok {
			t.Errorf("failed answer: no %q in %v", k, f)
		}
	}
	for _, k := range []string{"rule", "settle", "queue", "upload", "delivery", "folder", "holders", "unknown", "next_scan", "watch"} {
		if _, ok := f[k]; ok {
			t.Errorf("failed answer: %q written though empty", k)
		}
	}
	if fl := f["failure"].(map[string]any); fl["retry"] != "odailies-uploader retry _graded/a.mov" || fl["at"] != "2026-12-01T02:00:00Z" {
		t.Errorf("failure %v", fl)
	}
	c := doc.Answers[2]["folder"].(map[string]any)
	if counts := c["counts"].(map[string]any); counts["done"] != 2.0 || counts["settling"] != 1.0 || c["more"] != 3.0 {
		t.Errorf("folder %v", c)
	}
	b.Reset()
	WriteJSON(&b, Result{})
	if !strings.Contains(b.String(), `"answers": []`) {
		t.Errorf("no answers: %s", b.String())
	}
}

func TestCountsLine(t *testing.T) {
	if got := CountsLine(map[State]int{Ignored: 1, Done: 3, Failed: 1, "new-state": 2}); got != "3 done, 1 failed, 1 ignored, 2 new-state" {
		t.Errorf("got %q", got)
	}
	if got := CountsLine(nil); got != "no files" {
		t.Errorf("empty: %q", got)
	}
}
