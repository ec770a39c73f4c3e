package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	t1 = time.Date(2026, 4, 22, 18, 3, 11, 0, time.UTC)
	t2 = time.Date(2026, 4, 22, 20, 15, 0, 500, time.FixedZone("CEST", 2*3600))
)

func sample() *Report {
	return &Report{Files: []File{
		{Path: "_graded/Day03/A001C001.mov", Size: 1610612736, MD5: "9e107d9d372bb6826bd81d3542a419d6", UploadedAt: t1, Verified: ETag, ETag: "9e107d9d372bb6826bd81d3542a419d6"},
		{Path: "_graded/Day03/A001C002.mov", Size: 2048, MD5: "e4d909c290d0fb1ca068ffaddf22cbd0", UploadedAt: t2, Verified: ContentMD5, ETag: "abc-3"},
		{Path: "_thumbnails/A001C001.jpg", Size: 512, UploadedAt: t1, Verified: None},
		{Path: "_thumbnails/old.jpg", Size: 10, UploadedAt: t1, Verified: Unknown},
	}}
}

func render(t *testing.T, r *Report, f Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTable(t *testing.T) {
	got := render(t, sample(), Table)
	want := `UPLOADED (UTC)           SIZE  MD5                               VERIFIED                                PATH
2026-04-22T18:03:11Z  1.5 GiB  9e107d9d372bb6826bd81d3542a419d6  yes: MD5 and ETag                       _graded/Day03/A001C001.mov
2026-04-22T18:15:00Z  2.0 KiB  e4d909c290d0fb1ca068ffaddf22cbd0  yes: Content-MD5                        _graded/Day03/A001C002.mov
2026-04-22T18:03:11Z    512 B  -                                 no (upload.verify = none)               _thumbnails/A001C001.jpg
2026-04-22T18:03:11Z     10 B  -                                 unknown (uploaded before verification)  _thumbnails/old.jpg

4 files, 1.5 GiB (1610615306 bytes) uploaded: 2 verified, 2 unverified (1 sent with upload.verify = none, 1 uploaded before verification)
`
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestTableFilteredAndEmpty(t *testing.T) {
	r := &Report{Since: t2, Prefix: "_graded/Day04/"}
	got := render(t, r, Table)
	want := "0 files, 0 B (0 bytes) under _graded/Day04/ uploaded since 2026-04-22T18:15:00Z: 0 verified, 0 unverified\n"
	if got != want {
		t.Errorf("empty table = %q, want %q", got, want)
	}
	r.Files = sample().Files[:1]
	if got := render(t, r, Table); !strings.HasSuffix(got, "\n1 file, 1.5 GiB (1610612736 bytes) under _graded/Day04/ uploaded since 2026-04-22T18:15:00Z: 1 verified, 0 unverified\n") {
		t.Errorf("one file's totals:\n%s", got)
	}
}

// hostile are names a file system allows and a report must not garble.
var hostile = []string{
	"_graded/comma, and \"quotes\".mov",
	"_graded/line\nbreak.mov",
	"_graded/cr\rreturn.mov",
	"_graded/tab\tand\x1b[31mescape.mov",
	"_graded/=HYPERLINK(\"x\").mov",
	" _graded/leading space.mov",
	"_graded/café 日本.mov",
	"_graded/bad\xffutf8.mov",
}

func hostileReport() *Report {
	r := &Report{}
	for i, p := range hostile {
		r.Files = append(r.Files, File{Path: p, Size: int64(i), MD5: strings.Repeat("a", 32), UploadedAt: t1, Verified: ContentMD5})
	}
	return r
}

func TestCSVRoundTripsHostileNames(t *testing.T) {
	out := render(t, hostileReport(), CSV)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, out)
	}
	if !slices.Equal(rows[0], csvHeader) {
		t.Errorf("header = %q", rows[0])
	}
	if len(rows) != len(hostile)+1 {
		t.Fatalf("%d rows for %d files:\n%s", len(rows)-1, len(hostile), out)
	}
	for i, p := range hostile {
		want := []string{p, strconv.Itoa(i), strings.Repeat("a", 32), "2026-04-22T18:03:11Z", "md5", "kept"}
		if !slices.Equal(rows[i+1], want) {
			t.Errorf("row %d = %q, want %q", i+1, rows[i+1], want)
		}
	}
}

func TestCSVColumns(t *testing.T) {
	out := render(t, sample(), CSV)
	want := `path,size,md5,uploaded_at,verified,after_upload
_graded/Day03/A001C001.mov,1610612736,9e107d9d372bb6826bd81d3542a419d6,2026-04-22T18:03:11Z,md5+etag,kept
_graded/Day03/A001C002.mov,2048,e4d909c290d0fb1ca068ffaddf22cbd0,2026-04-22T18:15:00Z,md5,kept
_thumbnails/A001C001.jpg,512,,2026-04-22T18:03:11Z,none,kept
_thumbnails/old.jpg,10,,2026-04-22T18:03:11Z,unknown,kept
`
	if out != want {
		t.Errorf("csv:\n%s\nwant:\n%s", out, want)
	}
	if got := render(t, &Report{}, CSV); got != "path,size,md5,uploaded_at,verified,after_upload\n" {
		t.Errorf("empty csv = %q", got)
	}
}

func TestTableQuotesHostileNames(t *testing.T) {
	out := render(t, hostileReport(), Table)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// header, one line per file, a blank line, the totals: no name forges a line
	if len(lines) != len(hostile)+3 {
		t.Fatalf("%d lines for %d files:\n%s", len(lines), len(hostile), out)
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\t\x1b") {
			t.Errorf("a control character reaches the terminal: %q", l)
		}
	}
	for _, want := range []string{`"_graded/line\nbreak.mov"`, `"_graded/bad\xffutf8.mov"`, "  _graded/café 日本.mov", `_graded/comma, and "quotes".mov`} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %s:\n%s", want, out)
		}
	}
}

func TestJSON(t *testing.T) {
	r := sample()
	r.Since, r.Prefix = t2, "_graded/"
	out := render(t, r, JSON)
	var doc struct {
		Since  time.Time `json:"since"`
		Prefix string    `json:"prefix"`
		Files  []File    `json:"files"`
		Totals Totals    `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !doc.Since.Equal(t2) || doc.Prefix != "_graded/" || len(doc.Files) != 4 {
		t.Errorf("doc = %+v", doc)
	}
	if want := (Totals{Files: 4, Bytes: 1610615306, Verified: 2, Unverified: 2, None: 1, Unknown: 1}); doc.Totals != want {
		t.Errorf("totals = %+v, want %+v", doc.Totals, want)
	}
	for _, key := range []string{`"uploaded_at": "2026-04-22T18:15:00.0000005Z"`, `"verified": "md5+etag"`, `"md5": ""`, `"etag": "abc-3"`} {
		if !strings.Contains(out, key) {
			t.Errorf("json lacks %s:\n%s", key, out)
		}
	}
	if got := render(t, &Report{}, JSON); !strings.Contains(got, `"files": []`) || strings.Contains(got, "since") {
		t.Errorf("empty json = %s", got)
	}
}

func TestFormatOf(t *testing.T) {
	for _, c := range []struct {
		csv, json bool
		want      Format
		err       error
	}{{false, false, Table, nil}, {true, false, CSV, nil}, {false, true, JSON, nil}, {true, true, 0, ErrFormat}} {
		got, err := FormatOf(c.csv, c.json)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("FormatOf(%v, %v) = %v, %v", c.csv, c.json, got, err)
		}
	}
}
