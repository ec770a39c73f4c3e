package e2e

import (
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// dayTree is a dailies day of files of assorted sizes, enough for every
// worker's connection to carry several, with names a report must keep
// intact.
func dayTree(t *testing.T, n int) tree {
	tr := tree{}
	for i := range n {
		switch i % 3 {
		case 0:
			tr[fmt.Sprintf("_graded/Day03/A%03dC001_260422, take \"%d\".mov", i, i)] = randomBytes(t, 1<<20+i*4099)
		case 1:
			tr[fmt.Sprintf("_graded/Day04/B%03dC002 café.mov", i)] = randomBytes(t, 200_000+i)
		default:
			tr[fmt.Sprintf("_thumbnails/Day03/A%03dC001.jpg", i)] = randomBytes(t, 30_000+i)
		}
	}
	return tr
}

// TestSyncThroughACorruptingLinkDeliversIntactBytes: the storage is
// reached through a proxy that flips one byte in the first request body
// of each of the first 6 connections. Content-MD5 makes the storage
// refuse each damaged body (BadDigest); the daemon sends it again, and
// every object ends intact, sync exits 0, and status counts them
// verified. The run is over http: the proxy reads the plaintext it
// damages (s3test.Corrupter can also terminate TLS; the rig's storage
// is plain http).
func TestSyncThroughACorruptingLinkDeliversIntactBytes(t *testing.T) {
	const damage = 6
	r := newRig(t, rigOptions{corrupt: damage, workers: damage})
	files := dayTree(t, 12)
	files.write(t, r.root)

	r.sync(0)
	if got := r.corrupt.Damaged(); got != damage {
		t.Errorf("the proxy damaged %d bodies on %d connections, want %d: the test did not test", got, r.corrupt.Connections(), damage)
	}
	r.assertStored(files)
	st := r.status()
	if st.Done != len(files) || st.Failed != 0 || st.Queued+st.Active != 0 {
		t.Errorf("status: done %d failed %d queued %d active %d, want %d done and nothing else\nlog:\n%s",
			st.Done, st.Failed, st.Queued, st.Active, len(files), r.logTail())
	}
	if got := st.Verified.total(); got != len(files) {
		t.Errorf("status counts %d verified (%+v), want all %d", got, st.Verified, len(files))
	}
	rows := r.reportCSV()
	for _, rel := range files.sortedKeys() {
		if v := rows[rel].verified; v != "md5+etag" && v != "md5" {
			t.Errorf("report: %s verified %q, want md5+etag or md5", rel, v)
		}
	}
}

// reportRow is one row of `report -csv`.
type reportRow struct {
	size, md5, uploadedAt, verified string
}

// reportCSV runs `report -csv` (with args) and reads it by path.
func (r *rig) reportCSV(args ...string) map[string]reportRow {
	r.t.Helper()
	res := r.cmd(r.t.Context(), append([]string{"report", "-csv"}, args...)...)
	if res.code != 0 {
		r.t.Fatalf("report -csv exited %d: %s", res.code, res.stderr)
	}
	records, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	if err != nil || len(records) == 0 {
		r.t.Fatalf("report -csv: %v\n%s", err, res.stdout)
	}
	if want := []string{"path", "size", "md5", "uploaded_at", "verified", "after_upload"}; !slices.Equal(records[0], want) {
		r.t.Fatalf("report -csv header %q, want %q", records[0], want)
	}
	rows := map[string]reportRow{}
	for _, rec := range records[1:] {
		rows[rec[0]] = reportRow{size: rec[1], md5: rec[2], uploadedAt: rec[3], verified: rec[4]}
	}
	return rows
}

// md5sum is the file's MD5 as md5sum prints it (the file on its stdin,
// so no name needs escaping), or crypto/md5's where md5sum is missing.
func md5sum(t *testing.T, path string) string {
	t.Helper()
	if bin, err := exec.LookPath("md5sum"); err == nil {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(bin)
		cmd.Stdin = f
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("md5sum %s: %v", path, err)
		}
		return strings.Fields(string(out))[0]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// checkReport fails unless rows list exactly files, each with its size,
// the md5sum of the file on disk, and an upload time from the run.
func (r *rig) checkReport(rows map[string]reportRow, files tree, from time.Time) {
	r.t.Helper()
	paths := make([]string, 0, len(rows))
	for p := range rows {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, files.sortedKeys()) {
		r.t.Fatalf("report paths:\n got  %q\n want %q", paths, files.sortedKeys())
	}
	for rel, content := range files {
		row := rows[rel]
		if want := md5sum(r.t, filepath.Join(r.root, filepath.FromSlash(rel))); row.md5 != want {
			r.t.Errorf("%s: report md5 %q, md5sum %q", rel, row.md5, want)
		}
		if row.size != fmt.Sprint(len(content)) {
			r.t.Errorf("%s: report size %s, want %d", rel, row.size, len(content))
		}
		at, err := time.Parse(time.RFC3339, row.uploadedAt)
		if err != nil || at.Location() != time.UTC || at.Before(from.Truncate(time.Second)) || at.After(time.Now()) {
			r.t.Errorf("%s: uploaded_at %q (%v), want RFC 3339 UTC during the run", rel, row.uploadedAt, err)
		}
	}
}

// TestReportMatchesMd5sum: `report -csv` of a synced tree lists every
// file with the MD5 md5sum computes, when the daemon is stopped and when
// it runs; -prefix and -since choose; -json and the table agree; usage
// mistakes exit 2; a state.dir that never ran exits 1 naming the fix.
func TestReportMatchesMd5sum(t *testing.T) {
	r := newRig(t, rigOptions{})
	if res := r.cmd(t.Context(), "report"); res.code != 1 || !strings.Contains(res.stderr, "nothing uploaded yet (no queue at "+filepath.Join(r.state, "queue.db")) {
		t.Errorf("report before any run: exit %d, %s", res.code, res.stderr)
	}
	files := mixedTree(t)
	for rel, content := range dayTree(t, 9) {
		files[rel] = content
	}
	files.write(t, r.root)
	start := time.Now()
	r.sync(0)

	r.checkReport(r.reportCSV(), files, start) // stopped: read from queue.db
	graded := tree{}
	for rel, content := range files {
		if strings.HasPrefix(rel, "_graded/Day03/") {
			graded[rel] = content
		}
	}
	r.checkReport(r.reportCSV("-prefix", "_graded/Day03/", "-since", "1h"), graded, start)
	if rows := r.reportCSV("-since", time.Now().Add(time.Minute).UTC().Format(time.RFC3339)); len(rows) != 0 {
		t.Errorf("report -since a minute ahead lists %d files", len(rows))
	}
	r.checkJSONAndTable(files)
	for _, bad := range [][]string{{"-csv", "-json"}, {"-since", "soon"}, {"-prefix", "../elsewhere"}, {"_graded"}} {
		if res := r.cmd(t.Context(), append([]string{"report"}, bad...)...); res.code != 2 {
			t.Errorf("report %q: exit %d, want 2 (usage)\n%s", bad, res.code, res.stderr)
		}
	}

	d := r.start() // running: the daemon answers through the control socket
	r.eventually("the daemon's control socket", 20*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(r.state, "control.sock"))
		return err == nil
	})
	r.checkReport(r.reportCSV(), files, start)
	d.stop()
}

// checkJSONAndTable checks -json and the table against the tree.
func (r *rig) checkJSONAndTable(files tree) {
	r.t.Helper()
	res := r.cmd(r.t.Context(), "report", "-json")
	var doc struct {
		Files []struct {
			Path string `json:"path"`
			MD5  string `json:"md5"`
		} `json:"files"`
		Totals struct {
			Files    int `json:"files"`
			Verified int `json:"verified"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || res.code != 0 {
		r.t.Fatalf("report -json: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	if doc.Totals.Files != len(files) || doc.Totals.Verified != len(files) || len(doc.Files) != len(files) {
		r.t.Errorf("report -json totals %+v for %d files", doc.Totals, len(files))
	}
	res = r.cmd(r.t.Context(), "report")
	want := fmt.Sprintf("%d files, ", len(files))
	if res.code != 0 || !strings.Contains(res.stdout, want) || !strings.Contains(res.stdout, fmt.Sprintf(": %d verified, 0 unverified", len(files))) {
		r.t.Errorf("report: exit %d, want a totals line %q…\n%s%s", res.code, want, res.stdout, res.stderr)
	}
}

// verifiedCounts reads status.json's verified key: the done files by how
// the storage verified them, an object of counts whose unverified kinds
// are named none, unknown or unverified (a plain number is read as the
// verified total).
type verifiedCounts map[string]int

func (v *verifiedCounts) UnmarshalJSON(data []byte) error {
	var n int
	if err := json.Unmarshal(data, &n); err == nil {
		*v = verifiedCounts{"verified": n}
		return nil
	}
	m := map[string]int{}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("status verified: %w", err)
	}
	*v = m
	return nil
}

// total is how many done files the storage verified.
func (v verifiedCounts) total() int {
	n := 0
	for kind, c := range v {
		if k := strings.ToLower(kind); !strings.Contains(k, "none") && !strings.Contains(k, "unknown") && !strings.Contains(k, "unverified") {
			n += c
		}
	}
	return n
}
