// Package report is the delivery report a DIT sends to production at the
// end of a day: every file uploaded, with its size, MD5, when it was
// uploaded and how the storage confirmed the bytes. It holds the report's
// rows and renders them as a table for people, CSV or JSON; the daemon
// fills the rows from the queue (internal/daemon).
//
// # Columns
//
//	path         relative to watch.root, slash-separated, NFC: the name at the server
//	size         bytes
//	md5          32 lowercase hex digits of the bytes sent; "" when none was
//	             computed (upload.verify = "none", or before verification)
//	uploaded_at  RFC 3339 in UTC, when the upload finished
//	verified     how the storage confirmed the bytes (below)
//	after_upload what watch.after_upload did with the file (below)
//
// Columns are only ever added, at the end of the CSV: scripts read them
// by position.
//
// # Verified
//
//	md5+etag  the storage checked the Content-MD5 sent with the body, and
//	          the ETag it answered is that MD5
//	md5       the storage checked the Content-MD5; its ETag was no plain
//	          MD5 to compare (a multipart-style ETag, or none)
//	none      sent without a digest (upload.verify = "none"): only the
//	          storage's 2xx says it arrived
//	unknown   uploaded by a version from before verification
//
// The first two count as verified, the others as unverified.
//
// # After upload
//
// What watch.after_upload did with the file once its upload was verified
// (AfterUpload; internal/afterupload does it):
//
//	kept                the file stays where it is (after_upload = "keep")
//	moved to DEST       moved; DEST relative to the root with "/", or absolute
//	                    (the table names only the folder when the relative
//	                    path was kept, the whole name when it had to take a
//	                    free one such as "a (2).mov")
//	deleted             deleted
//	move pending        recorded with the upload, not carried out yet
//	move failed: WHY    the last try failed; the daemon tries again by itself
//	not moved: WHY      left where it is for good: the file changed or went
//	                    since its upload (its new version is uploaded as usual)
//
// ("delete pending", "delete failed", "not deleted" alike.) The CSV's
// after_upload column holds this text with the reason; the table shows it
// without, and lists the reasons under the rows; JSON has the parts in
// "after_upload" {action, state, at, dest, reason}. The state is the
// queue's when the report is made: a pending action may be done a second
// later.
//
// # Hazards
//
//   - Names are the file system's: a path may hold commas, quotes, line
//     breaks or control characters. CSV quotes them (RFC 4180, through
//     encoding/csv); the table shows such a path as a Go-quoted string;
//     JSON escapes it. A spreadsheet treats a cell starting with =, +, -
//     or @ as a formula: open CSV exports as text if names may start so.
//   - A path that is not valid UTF-8 is written as it is in CSV and the
//     table (quoted), but JSON replaces its bad bytes with U+FFFD.
package report

import (
	"errors"
	"time"
)

// How the storage confirmed a file's bytes: the verified column.
const (
	ETag       = "md5+etag"
	ContentMD5 = "md5"
	None       = "none"
	Unknown    = "unknown"
)

// File is one uploaded file: one row of the report.
type File struct {
	Path       string    `json:"path"`
	Size       int64     `json:"size"`
	MD5        string    `json:"md5"`
	UploadedAt time.Time `json:"uploaded_at"`
	Verified   string    `json:"verified"`       // ETag, ContentMD5, None or Unknown
	ETag       string    `json:"etag,omitempty"` // as the storage answered it, quotes removed
	ModTime    time.Time `json:"modified"`       // the file's mtime when it was sent
	// AfterUpload is what watch.after_upload did with the file.
	AfterUpload AfterUpload `json:"after_upload"`
}

// IsVerified reports whether the storage confirmed the file's bytes.
func (f File) IsVerified() bool { return f.Verified == ETag || f.Verified == ContentMD5 }

// Report is the rows and what they were chosen by.
type Report struct {
	Since  time.Time // files uploaded at or after; zero: every upload
	Prefix string    // paths starting with it; "": all
	Files  []File    // in path order
}

// Totals are the report's last line.
type Totals struct {
	Files      int   `json:"files"`
	Bytes      int64 `json:"bytes"`
	Verified   int   `json:"verified"`
	Unverified int   `json:"unverified"`
	None       int   `json:"unverified_none"`    // of Unverified: sent with upload.verify = "none"
	Unknown    int   `json:"unverified_unknown"` // of Unverified: uploaded before verification

	// The files by after-upload action state; kept files are in none.
	Moved   int `json:"moved"`
	Deleted int `json:"deleted"`
	Pending int `json:"actions_pending"`
	Failed  int `json:"actions_failed"`
	Skipped int `json:"actions_skipped"`
}

// Totals adds up the rows.
func (r *Report) Totals() Totals {
	var t Totals
	for _, f := range r.Files {
		t.Files++
		t.Bytes += f.Size
		switch {
		case f.IsVerified():
			t.Verified++
		case f.Verified == None:
			t.Unverified++
			t.None++
		default:
			t.Unverified++
			t.Unknown++
		}
		t.addAction(f.AfterUpload)
	}
	return t
}

// addAction counts a file's after-upload action.
func (t *Totals) addAction(a AfterUpload) {
	if !a.acts() {
		return
	}
	switch a.State {
	case ActDone:
		if a.Action == ActionMove {
			t.Moved++
		} else {
			t.Deleted++
		}
	case ActFailed:
		t.Failed++
	case ActSkipped:
		t.Skipped++
	default:
		t.Pending++
	}
}

// Format is how Write renders a report.
type Format int

const (
	Table Format = iota // aligned columns and a totals line, for people
	CSV                 // a header row, then one row per file
	JSON                // one document: the filter, the files, the totals
)

// ErrFormat is returned by FormatOf for a request of two formats.
var ErrFormat = errors.New("choose one of -csv and -json")

// FormatOf is the format that command-line flags ask for.
func FormatOf(csv, json bool) (Format, error) {
	switch {
	case csv && json:
		return 0, ErrFormat
	case csv:
		return CSV, nil
	case json:
		return JSON, nil
	}
	return Table, nil
}
