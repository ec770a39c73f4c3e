package status

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/odailies/odailies-uploader/internal/units"
)

// Render writes the document for people: the state in plain words (a
// document not rewritten for StaleAfter means the daemon is not running),
// counts, progress, the watcher and recent failures. service is the
// service manager's word for the service ("running", "not installed", …).
func Render(w io.Writer, doc *Doc, now time.Time, service string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "State:\t%s\n", describeState(doc, now))
	if doc.Detail != "" {
		fmt.Fprintf(tw, "Problem:\t%s\n", doc.Detail)
	}
	fmt.Fprintf(tw, "Service:\t%s\n", service)
	fmt.Fprintf(tw, "Updated:\t%s (%s ago)\n", doc.Updated.Local().Format(time.DateTime), ago(now, doc.Updated))
	fmt.Fprintf(tw, "Files:\tqueued %d (%s), active %d, done %d, failed %d, gone %d\n",
		doc.Queued, units.Bytes(doc.QueuedBytes), doc.Active, doc.Done, doc.Failed, doc.Gone)
	if doc.Missing > 0 {
		fmt.Fprintf(tw, "Not on disk:\t%d uploaded file(s) the last scan did not find (kept a week: a drive may be away)\n", doc.Missing)
	}
	fmt.Fprintf(tw, "Uploaded:\t%s, now %s", units.Bytes(doc.BytesDone), units.Rate(doc.Rate))
	if doc.ETASeconds > 0 {
		fmt.Fprintf(tw, ", about %s left", time.Duration(doc.ETASeconds)*time.Second)
	}
	fmt.Fprintln(tw)
	printVerified(tw, doc.Verified)
	printActions(tw, doc)
	printBandwidth(tw, doc.Bandwidth, now)
	printWatcher(tw, doc.Watcher, now)
	printWatches(tw, doc.Watches)
	tw.Flush()
	printActive(w, doc.ActiveFiles)
	printFailures(w, doc.RecentFailures)
}

// printVerified says how the done files were verified, when any are.
func printVerified(w io.Writer, v Verified) {
	ok := v.ETag + v.ContentMD5
	if ok+v.None+v.Unknown == 0 {
		return
	}
	fmt.Fprintf(w, "Verified:\t%d file(s) checked by the storage (%d with its ETag, %d by Content-MD5 only)", ok, v.ETag, v.ContentMD5)
	if v.None > 0 {
		fmt.Fprintf(w, ", %d not verified (upload.verify = \"none\")", v.None)
	}
	if v.Unknown > 0 {
		fmt.Fprintf(w, ", %d uploaded before verification existed", v.Unknown)
	}
	fmt.Fprintln(w)
}

func describeState(doc *Doc, now time.Time) string {
	if doc.State == Stopped {
		return string(Stopped)
	}
	if now.Sub(doc.Updated) > StaleAfter {
		return fmt.Sprintf("not running (the daemon last wrote its status %s ago; state was %s)", ago(now, doc.Updated), doc.State)
	}
	return string(doc.State)
}

func printWatcher(w io.Writer, ws Watcher, now time.Time) {
	scan := "not yet"
	if !ws.LastScan.IsZero() {
		scan = ago(now, ws.LastScan) + " ago"
	}
	fmt.Fprintf(w, "Watching:\t%s (%s), last full scan %s, %d file(s) settling\n",
		strings.Join(ws.Dirs, ", "), ws.Mode, scan, ws.Pending)
	if ws.WriterCheck != "" {
		fmt.Fprintf(w, "Writers:\tseen by %s\n", ws.WriterCheck)
	}
	if ws.Error != "" {
		fmt.Fprintf(w, "Watch problem:\t%s\n", ws.Error)
	}
	for _, p := range ws.Problems {
		fmt.Fprintf(w, "Held back:\t%s: %s\n", p.Path, p.Problem)
	}
	if ws.MoreProblems > 0 {
		fmt.Fprintf(w, "Held back:\t%d more (status -json lists the first %d)\n", ws.MoreProblems, len(ws.Problems))
	}
}

func printActive(w io.Writer, files []ActiveFile) {
	if len(files) == 0 {
		return
	}
	fmt.Fprintf(w, "\nUploading:\n")
	for _, f := range files {
		pct := 100.0
		if f.Size > 0 {
			pct = 100 * float64(f.BytesSent) / float64(f.Size)
		}
		fmt.Fprintf(w, "  %5.1f%%  %s of %s  %s%s\n", pct, units.Bytes(f.BytesSent), units.Bytes(f.Size), showPrefix(f.Watch), f.Path)
	}
}

// printActions says where the after-upload actions are, when there are
// any: "After upload: 12 moved or deleted, 3 pending, 1 failed".
func printActions(w io.Writer, doc *Doc) {
	if doc.ActionsPending+doc.ActionsFailed+doc.ActionsDone == 0 {
		return
	}
	fmt.Fprintf(w, "After upload:\t%d moved or deleted, %d pending, %d failed", doc.ActionsDone, doc.ActionsPending, doc.ActionsFailed)
	if doc.ActionsFailed > 0 {
		fmt.Fprint(w, " (tried again by themselves; see below)")
	}
	fmt.Fprintln(w)
}

// printFailures lists the failed uploads, then the after-upload actions
// that failed: the first need 'retry' once the cause is fixed, the
// others are tried again by the daemon.
func printFailures(w io.Writer, fails []RecentFailure) {
	var uploads, actions []RecentFailure
	for _, f := range fails {
		if f.Action != "" {
			actions = append(actions, f)
		} else {
			uploads = append(uploads, f)
		}
	}
	if len(uploads) > 0 {
		fmt.Fprintf(w, "\nRecent failures (fix the cause, then 'odailies-uploader retry'):\n")
		writeFailures(w, uploads)
	}
	if len(actions) > 0 {
		fmt.Fprintf(w, "\nUploaded, but the after-upload action failed (fix the cause; the daemon tries again every few minutes and at start, no retry needed):\n")
		writeFailures(w, actions)
	}
}

func writeFailures(w io.Writer, fails []RecentFailure) {
	for _, f := range fails {
		fmt.Fprintf(w, "  %s  %s%s\n      %s\n", f.At.Local().Format(time.DateTime), showPrefix(f.Watch), f.Path, f.Error)
	}
}

// showPrefix is "[Show A] " for a file of a named show, "" without.
func showPrefix(name string) string {
	if name == "" {
		return ""
	}
	return "[" + name + "] "
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String()
}

// printBandwidth says the cap in force and, with a schedule, when it
// changes next and to what: "Bandwidth: 19.1 MiB/s by the schedule,
// unlimited from Mon 13 Apr 19:00 (in 2h30m0s)".
func printBandwidth(w io.Writer, b Bandwidth, now time.Time) {
	if b.Limit == 0 && !b.Scheduled {
		return
	}
	fmt.Fprintf(w, "Bandwidth:\t%s", capText(b.Limit))
	if b.Scheduled {
		fmt.Fprint(w, " by the schedule")
		if !b.NextChange.IsZero() {
			fmt.Fprintf(w, ", %s from %s (in %s)", capText(b.NextLimit),
				b.NextChange.Local().Format("Mon 2 Jan 15:04:05"), b.NextChange.Sub(now).Round(time.Second))
		}
	}
	fmt.Fprintln(w)
}

// capText is a cap for people: "19.1 MiB/s" or "unlimited".
func capText(limit int64) string {
	if limit <= 0 {
		return "unlimited"
	}
	return units.Rate(float64(limit))
}

// printWatches lists each show of a config with several: its state and
// counts (the Files line above is their total).
func printWatches(w io.Writer, ws []Watch) {
	for _, s := range ws {
		fmt.Fprintf(w, "Show %q:\t%s; queued %d, active %d, done %d, failed %d, gone %d; %s, now %s (project %s, %s)\n",
			s.Name, s.State, s.Queued, s.Active, s.Done, s.Failed, s.Gone, units.Bytes(s.BytesDone), units.Rate(s.Rate), s.ProjectID, s.Root)
		if s.Detail != "" {
			fmt.Fprintf(w, "\t%s\n", s.Detail)
		}
	}
}
