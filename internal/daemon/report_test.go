package daemon

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/report"
	"github.com/odailies/odailies-uploader/queue"
)

// md5Of is the hex MD5 of the file w.file wrote with size bytes.
func md5Of(size int) string {
	sum := md5.Sum(bytes.Repeat([]byte{'x'}, size))
	return hex.EncodeToString(sum[:])
}

// reportWorld is a world with three files synced and its daemon closed.
func reportWorld(t *testing.T) (*world, map[string]int) {
	t.Helper()
	w := newWorld(t, 0, "_graded", "_thumbnails")
	files := map[string]int{"_graded/Day03/a.mov": 3000, "_graded/Day04/b.mov": 10, "_thumbnails/a.jpg": 500}
	for rel, size := range files {
		w.file(rel, size)
	}
	return w, files
}

// checkRows fails unless rep lists exactly want's paths, each with its
// size and MD5, verified, uploaded between from and to.
func checkRows(t *testing.T, rep *report.Report, want map[string]int, from, to time.Time) {
	t.Helper()
	var paths []string
	for _, f := range rep.Files {
		paths = append(paths, f.Path)
		size, ok := want[f.Path]
		switch {
		case !ok:
			t.Errorf("report lists %s, not asked for", f.Path)
		case f.Size != int64(size) || f.MD5 != md5Of(size):
			t.Errorf("%s: size %d md5 %s, want %d %s", f.Path, f.Size, f.MD5, size, md5Of(size))
		case !f.IsVerified():
			t.Errorf("%s: verified %q, want verified", f.Path, f.Verified)
		case f.UploadedAt.Before(from.Truncate(time.Second)) || f.UploadedAt.After(to):
			t.Errorf("%s: uploaded at %s, not between %s and %s", f.Path, f.UploadedAt, from, to)
		}
	}
	if !slices.IsSorted(paths) || len(paths) != len(want) {
		t.Errorf("report paths %q, want the %d asked for in path order", paths, len(want))
	}
}

func only(files map[string]int, prefix string) map[string]int {
	out := map[string]int{}
	for p, s := range files {
		if strings.HasPrefix(p, prefix) {
			out[p] = s
		}
	}
	return out
}

func TestReportFromTheRunningDaemon(t *testing.T) {
	w, files := reportWorld(t)
	d, cfg := w.open()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- d.Run(ctx) }()
	waitFor(t, "three uploads", func() bool { return d.Counts().Done == 3 })
	// While Run holds queue.db's lock, a direct read would fail: an
	// answer proves the control channel served it.
	rep, err := Report(t.Context(), cfg, ReportRequest{})
	if err != nil {
		t.Fatalf("Report = %v\n%s", err, w.log)
	}
	checkRows(t, rep, files, start, time.Now())
	rep, err = Report(t.Context(), cfg, ReportRequest{Prefix: "_graded/Day03/"})
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rep, only(files, "_graded/Day03/"), start, time.Now())
	rep, err = Report(t.Context(), cfg, ReportRequest{Since: time.Now().Add(time.Hour)})
	if err != nil || len(rep.Files) != 0 {
		t.Errorf("Report since an hour ahead = %d files, %v; want none", len(rep.Files), err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestReportWithoutADaemonReadsTheQueue(t *testing.T) {
	w, files := reportWorld(t)
	d, cfg := w.open()
	start := time.Now()
	if err := w.sync(t.Context(), d, SyncOptions{}); err != nil {
		t.Fatalf("Sync = %v\n%s", err, w.log)
	}
	d.Close()
	before := stateFiles(t, w.state)
	var out bytes.Buffer
	req, format, err := ReportFlags{CSV: true, Prefix: "_graded/"}.Request(cfg.Watch.Root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(t.Context(), &out, cfg, req, format); err != nil {
		t.Fatalf("WriteReport = %v", err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v, %q", err, rows)
	}
	for _, row := range rows[1:] {
		if want := md5Of(files[row[0]]); row[2] != want || !strings.HasPrefix(row[0], "_graded/") {
			t.Errorf("row %q: want md5 %s", row, want)
		}
	}
	rep, err := Report(t.Context(), cfg, ReportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rep, files, start, time.Now())
	if after := stateFiles(t, w.state); !slices.Equal(before, after) {
		t.Errorf("state.dir held %q, after report %q", before, after)
	}
}

func stateFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestReportBeforeAnyRunCreatesNothing(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	cfg := w.config()
	_, err := Report(t.Context(), cfg, ReportRequest{})
	if !errors.Is(err, errNothingUploaded) || !strings.Contains(err.Error(), filepath.Join(w.state, QueueFile)) {
		t.Fatalf("Report = %v, want nothing uploaded yet, naming queue.db", err)
	}
	if err := os.WriteFile(filepath.Join(w.state, QueueFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Report(t.Context(), cfg, ReportRequest{}); !errors.Is(err, errNothingUploaded) {
		t.Fatalf("Report over an empty queue.db = %v, want nothing uploaded yet", err)
	}
	if fi, err := os.Stat(filepath.Join(w.state, QueueFile)); err != nil || fi.Size() != 0 {
		t.Errorf("the empty queue.db was written: %v, %v", fi, err)
	}
	if names := stateFiles(t, w.state); !slices.Equal(names, []string{QueueFile}) {
		t.Errorf("state.dir holds %q, want only the empty queue.db", names)
	}
}

func TestReportWhenTheQueueIsHeldByAProcessThatDoesNotAnswer(t *testing.T) {
	w := newWorld(t, 0, "_graded", "_thumbnails")
	cfg := w.config()
	q, err := queue.Open(filepath.Join(w.state, QueueFile), queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	_, err = Report(t.Context(), cfg, ReportRequest{})
	if !errors.Is(err, queue.ErrLocked) || !strings.Contains(err.Error(), "restart it") {
		t.Fatalf("Report = %v, want the lock named with the fix", err)
	}
}

func TestParseSince(t *testing.T) {
	loc := time.FixedZone("here", -7*3600)
	now := time.Date(2026, 4, 22, 20, 30, 0, 0, loc)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"24h", now.Add(-24 * time.Hour)},
		{" 90m ", now.Add(-90 * time.Minute)},
		{"3d", time.Date(2026, 4, 19, 20, 30, 0, 0, loc)},
		{"today", time.Date(2026, 4, 22, 0, 0, 0, 0, loc)},
		{"2026-04-21", time.Date(2026, 4, 21, 0, 0, 0, 0, loc)},
		{"2026-04-21T18:00:00Z", time.Date(2026, 4, 21, 18, 0, 0, 0, time.UTC)},
		{"2026-04-21T18:00:00+02:00", time.Date(2026, 4, 21, 16, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseSince(c.in, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"yesterday-ish", "-24h", "0s", "0d", "-1d", "2026-13-01", "2026-04-21 18:00", "24"} {
		if _, err := ParseSince(bad, now); err == nil || !strings.Contains(err.Error(), "-since") {
			t.Errorf("ParseSince(%q) = %v, want an error naming -since", bad, err)
		}
	}
}

func TestReportPrefix(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"_graded/Day03/", "_graded/Day03/"},
		{"_graded/Day03", "_graded/Day03"},
		{"./_graded//Day03/", "_graded/Day03/"},
		{"_graded/cafe\u0301/", "_graded/caf\u00e9/"},
		{filepath.Join(root, "_graded", "Day03") + string(filepath.Separator), "_graded/Day03/"},
		{root, ""},
		{".", ""},
	} {
		got, err := ReportPrefix(root, c.in)
		if err != nil || got != c.want {
			t.Errorf("ReportPrefix(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"../x", "_graded/../../x", filepath.Dir(root), "/elsewhere/_graded"} {
		if _, err := ReportPrefix(root, bad); err == nil || !strings.Contains(err.Error(), "-prefix") {
			t.Errorf("ReportPrefix(%q) = %v, want an error naming -prefix", bad, err)
		}
	}
}

func TestReportFlagsRefuseMistakes(t *testing.T) {
	for _, c := range []struct {
		f    ReportFlags
		args []string
		want string
	}{
		{ReportFlags{}, []string{"_graded/Day03"}, "use -prefix _graded/Day03"},
		{ReportFlags{CSV: true, JSON: true}, nil, "-csv and -json"},
		{ReportFlags{Since: "last week"}, nil, "-since"},
		{ReportFlags{Prefix: "../up"}, nil, "-prefix"},
	} {
		if _, _, err := c.f.Request("/root", c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %q: %v, want an error with %q", c.f, c.args, err, c.want)
		}
	}
	req, format, err := ReportFlags{Since: "24h", Prefix: "_graded/", JSON: true}.Request("/root", nil)
	if err != nil || format != report.JSON || req.Prefix != "_graded/" || time.Since(req.Since) < 24*time.Hour-time.Minute {
		t.Errorf("Request = %+v, %v, %v", req, format, err)
	}
}

func TestVerifiedWords(t *testing.T) {
	for v, want := range map[queue.Verification]string{
		queue.VerifiedETag: report.ETag, queue.VerifiedContentMD5: report.ContentMD5,
		queue.VerifiedNone: report.None, "": report.Unknown,
	} {
		if got := verifiedWord(v); got != want {
			t.Errorf("verifiedWord(%q) = %q, want %q", v, got, want)
		}
	}
}
