package report

import (
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

var t3 = t1.Add(90e9)

// acted is a report of one show with watch.after_upload = "move" (and a
// file of the time it was "delete"): each state an action can be in.
func acted() *Report {
	md5 := "9e107d9d372bb6826bd81d3542a419d6"
	f := func(path string, a AfterUpload) File {
		return File{Path: path, Size: 100, MD5: md5, UploadedAt: t1, Verified: ETag, ETag: md5, AfterUpload: a}
	}
	return &Report{Files: []File{
		f("_graded/a.mov", AfterUpload{Action: ActionMove, State: ActDone, At: t3, Dest: "_uploaded/_graded/a.mov"}),
		f("_graded/b.mov", AfterUpload{Action: ActionMove, State: ActDone, At: t3, Dest: "_uploaded/_graded/b (2).mov"}),
		f("_graded/c.mov", AfterUpload{Action: ActionMove, State: ActPending}),
		f("_graded/d.mov", AfterUpload{Action: ActionMove, State: ActFailed, At: t3,
			Reason: "rename _graded/d.mov: permission denied: dit needs write access to /dailies/_graded"}),
		f("_graded/e.mov", AfterUpload{Action: ActionMove, State: ActSkipped, At: t3,
			Reason: "it changed since its upload"}),
		f("_graded/f.mov", AfterUpload{Action: ActionDelete, State: ActDone, At: t3}),
		f("_graded/g.mov", AfterUpload{Action: ActionKeep}),
		f("_graded/h.mov", AfterUpload{}), // from a daemon older than the actions
	}}
}

func TestTableAfterUpload(t *testing.T) {
	got := render(t, acted(), Table)
	want := `UPLOADED (UTC)         SIZE  MD5                               VERIFIED           AFTER UPLOAD                          PATH
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  moved to _uploaded/                   _graded/a.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  moved to _uploaded/_graded/b (2).mov  _graded/b.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  move pending                          _graded/c.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  move failed                           _graded/d.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  not moved                             _graded/e.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  deleted                               _graded/f.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  kept                                  _graded/g.mov
2026-04-22T18:03:11Z  100 B  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag  kept                                  _graded/h.mov

After-upload actions not done:
  _graded/d.mov: move failed: rename _graded/d.mov: permission denied: dit needs write access to /dailies/_graded
  _graded/e.mov: not moved: it changed since its upload

8 files, 800 B (800 bytes) uploaded: 8 verified, 0 unverified; after upload: 2 moved, 1 deleted, 1 pending, 1 failed, 1 left in place
`
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	// A reason cannot forge a line of the table.
	r := acted()
	r.Files[3].AfterUpload.Reason = "bad\nline"
	if out := render(t, r, Table); !strings.Contains(out, `_graded/d.mov: move failed: "bad\nline"`) {
		t.Errorf("a reason with a line break reached the table as it is:\n%s", out)
	}
}

func TestCSVAfterUploadColumnIsLast(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(render(t, acted(), CSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"path", "size", "md5", "uploaded_at", "verified", "after_upload"}; !slices.Equal(rows[0], want) {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	want := []string{
		"moved to _uploaded/_graded/a.mov",
		"moved to _uploaded/_graded/b (2).mov",
		"move pending",
		"move failed: rename _graded/d.mov: permission denied: dit needs write access to /dailies/_graded",
		"not moved: it changed since its upload",
		"deleted",
		"kept",
		"kept",
	}
	for i, w := range want {
		if got := rows[i+1][5]; got != w {
			t.Errorf("%s: after_upload %q, want %q", rows[i+1][0], got, w)
		}
		if got := rows[i+1][4]; got != "md5+etag" {
			t.Errorf("%s: verified %q: the columns before after_upload moved", rows[i+1][0], got)
		}
	}
}

func TestJSONAfterUpload(t *testing.T) {
	out := render(t, acted(), JSON)
	var doc struct {
		Files  []File `json:"files"`
		Totals Totals `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := doc.Files[0].AfterUpload; got.Action != ActionMove || got.State != ActDone || got.Dest != "_uploaded/_graded/a.mov" || !got.At.Equal(t3) {
		t.Errorf("a.mov: %+v", got)
	}
	if got := doc.Files[3].AfterUpload; got.State != ActFailed || !strings.Contains(got.Reason, "permission denied") {
		t.Errorf("d.mov: %+v", got)
	}
	if got := doc.Files[7].AfterUpload; got.Action != ActionKeep || got.State != "" {
		t.Errorf("h.mov (no action recorded): %+v, want keep", got)
	}
	want := Totals{Files: 8, Bytes: 800, Verified: 8, Moved: 2, Deleted: 1, Pending: 1, Failed: 1, Skipped: 1}
	if doc.Totals != want {
		t.Errorf("totals %+v, want %+v", doc.Totals, want)
	}
	for _, key := range []string{`"after_upload": {`, `"state": "pending"`, `"at": "2026-04-22T18:04:41Z"`, `"actions_failed": 1`} {
		if !strings.Contains(out, key) {
			t.Errorf("json lacks %s:\n%s", key, out)
		}
	}
	if strings.Contains(render(t, sample(), Table), "AFTER UPLOAD") {
		t.Error("a report with every file kept shows the AFTER UPLOAD column")
	}
}
