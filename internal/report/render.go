package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/odailies/odailies-uploader/internal/units"
)

// Write renders r to w in format f.
func Write(w io.Writer, r *Report, f Format) error {
	switch f {
	case CSV:
		return writeCSV(w, r)
	case JSON:
		return writeJSON(w, r)
	}
	return writeTable(w, r)
}

// stamp is a time as the report prints it: RFC 3339 in UTC, whole
// seconds; "" for a zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvHeader is the CSV's columns, in order; new ones go at the end.
var csvHeader = []string{"path", "size", "md5", "uploaded_at", "verified", "after_upload"}

func writeCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range r.Files {
		row := []string{f.Path, strconv.FormatInt(f.Size, 10), f.MD5, stamp(f.UploadedAt), f.Verified, f.AfterUpload.Text()}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonReport is the -json document.
type jsonReport struct {
	Since  *time.Time `json:"since,omitempty"`
	Prefix string     `json:"prefix,omitempty"`
	Files  []File     `json:"files"`
	Totals Totals     `json:"totals"`
}

func writeJSON(w io.Writer, r *Report) error {
	doc := jsonReport{Prefix: r.Prefix, Files: r.Files, Totals: r.Totals()}
	if !r.Since.IsZero() {
		since := r.Since.UTC()
		doc.Since = &since
	}
	if doc.Files == nil {
		doc.Files = []File{}
	}
	for i := range doc.Files {
		doc.Files[i].UploadedAt = doc.Files[i].UploadedAt.UTC()
		doc.Files[i].ModTime = doc.Files[i].ModTime.UTC()
		if a := &doc.Files[i].AfterUpload; !a.At.IsZero() {
			a.At = a.At.UTC()
		}
		if a := &doc.Files[i].AfterUpload; a.Action == "" {
			a.Action = ActionKeep
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// verifiedWords is the verified column for people.
var verifiedWords = map[string]string{
	ETag:       "yes: MD5 and ETag",
	ContentMD5: "yes: Content-MD5",
	None:       "no (upload.verify = none)",
	Unknown:    "unknown (uploaded before verification)",
}

func words(v string) string {
	if s, ok := verifiedWords[v]; ok {
		return s
	}
	return verifiedWords[Unknown]
}

// writeTable writes one line per file, columns aligned, the path last
// (its width on a terminal is the font's business, not ours), then the
// reasons of after-upload actions that failed or were skipped, then the
// totals line. The AFTER UPLOAD column is there only when some file has
// an action other than keep.
func writeTable(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	actions := false
	for _, f := range r.Files {
		actions = actions || f.AfterUpload.acts()
	}
	head := []string{"UPLOADED (UTC)", "SIZE", "MD5", "VERIFIED", "PATH"}
	if actions {
		head = slices.Insert(head, 4, "AFTER UPLOAD")
	}
	rows := [][]string{head}
	var notes []string
	for _, f := range r.Files {
		md5 := f.MD5
		if md5 == "" {
			md5 = "-"
		}
		up := stamp(f.UploadedAt)
		if up == "" {
			up = "-"
		}
		row := []string{up, units.Bytes(f.Size), md5, words(f.Verified), printable(f.Path)}
		if actions {
			row = slices.Insert(row, 4, printable(f.AfterUpload.Short(f.Path)))
			if a := f.AfterUpload; a.Reason != "" && (a.State == ActFailed || a.State == ActSkipped) {
				notes = append(notes, fmt.Sprintf("  %s: %s: %s", printable(f.Path), a.Short(f.Path), printable(a.Reason)))
			}
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(head))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	if len(r.Files) > 0 {
		for _, row := range rows {
			fmt.Fprintf(bw, "%-*s  %*s  %-*s  %-*s  ", widths[0], row[0], widths[1], row[1],
				widths[2], row[2], widths[3], row[3])
			if actions {
				fmt.Fprintf(bw, "%-*s  ", widths[4], row[4])
			}
			fmt.Fprintln(bw, row[len(row)-1])
		}
		fmt.Fprintln(bw)
	}
	if len(notes) > 0 {
		fmt.Fprintln(bw, "After-upload actions not done:")
		for _, n := range notes {
			fmt.Fprintln(bw, n)
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintln(bw, totalsLine(r))
	return bw.Flush()
}

// printable is path as it can be shown on a terminal: as it is, or
// Go-quoted when it holds a control character, an unusual space or bytes
// that are not UTF-8 (a name with a line break must not forge a row).
func printable(path string) string {
	if utf8.ValidString(path) && strings.IndexFunc(path, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return path
	}
	return strconv.Quote(path)
}

// totalsLine is the table's last line: the count, the bytes, what was
// verified and what the rows were chosen by.
func totalsLine(r *Report) string {
	t := r.Totals()
	var b strings.Builder
	fmt.Fprintf(&b, "%d file%s, %s (%d bytes)", t.Files, plural(t.Files), units.Bytes(t.Bytes), t.Bytes)
	if r.Prefix != "" {
		fmt.Fprintf(&b, " under %s", printable(r.Prefix))
	}
	if !r.Since.IsZero() {
		fmt.Fprintf(&b, " uploaded since %s", stamp(r.Since))
	} else {
		b.WriteString(" uploaded")
	}
	fmt.Fprintf(&b, ": %d verified, %d unverified", t.Verified, t.Unverified)
	var why []string
	if t.None > 0 {
		why = append(why, fmt.Sprintf("%d sent with upload.verify = none", t.None))
	}
	if t.Unknown > 0 {
		why = append(why, fmt.Sprintf("%d uploaded before verification", t.Unknown))
	}
	if len(why) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(why, ", "))
	}
	var acts []string
	for _, c := range []struct {
		n    int
		what string
	}{{t.Moved, "moved"}, {t.Deleted, "deleted"}, {t.Pending, "pending"}, {t.Failed, "failed"}, {t.Skipped, "left in place"}} {
		if c.n > 0 {
			acts = append(acts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(acts) > 0 {
		fmt.Fprintf(&b, "; after upload: %s", strings.Join(acts, ", "))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
