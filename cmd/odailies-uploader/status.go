package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"
)

// staleAfter is how old status.json may be before the daemon is taken
// for not running: several missed rewrites.
const staleAfter = 5 * statusInterval

// cmdStatus prints the daemon's status file, for people or (-json) for
// scripts. It reads only the file, so it works while the daemon runs.
func cmdStatus(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("status", "[-json]",
		"Show what the daemon is doing, read from <state.dir>/status.json.")
	asJSON := fs.Bool("json", false, "print status.json as it is")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	doc, raw, err := readStatus(statusPath(cfg))
	if err != nil {
		return statusReadError(cfg, err)
	}
	if *asJSON {
		_, err := c.stdout.Write(raw)
		return err
	}
	printStatus(c.stdout, doc, time.Now(), serviceState(cfg))
	return nil
}

func statusReadError(cfg *Config, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no status yet at %s: the daemon has not run with this config (start it with 'odailies-uploader start' or 'run')", statusPath(cfg))
	}
	return err
}

// printStatus writes the human form of the status.
func printStatus(w io.Writer, doc *statusDoc, now time.Time, service string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "State:\t%s\n", describeState(doc, now))
	if doc.Detail != "" {
		fmt.Fprintf(tw, "Problem:\t%s\n", doc.Detail)
	}
	fmt.Fprintf(tw, "Service:\t%s\n", service)
	fmt.Fprintf(tw, "Updated:\t%s (%s ago)\n", doc.Updated.Local().Format(time.DateTime), ago(now, doc.Updated))
	fmt.Fprintf(tw, "Files:\tqueued %d (%s), active %d, done %d, failed %d, gone %d\n",
		doc.Queued, formatBytes(doc.QueuedBytes), doc.Active, doc.Done, doc.Failed, doc.Gone)
	fmt.Fprintf(tw, "Uploaded:\t%s, now %s", formatBytes(doc.BytesDone), formatRate(doc.Rate))
	if doc.ETASeconds > 0 {
		fmt.Fprintf(tw, ", about %s left", time.Duration(doc.ETASeconds)*time.Second)
	}
	fmt.Fprintln(tw)
	printWatcher(tw, doc.Watcher, now)
	tw.Flush()
	printActive(w, doc.ActiveFiles)
	printFailures(w, doc.RecentFailures)
}

func describeState(doc *statusDoc, now time.Time) string {
	if doc.State == "stopped" {
		return "stopped"
	}
	if now.Sub(doc.Updated) > staleAfter {
		return fmt.Sprintf("not running (the daemon last wrote its status %s ago; state was %s)", ago(now, doc.Updated), doc.State)
	}
	return doc.State
}

func printWatcher(w io.Writer, ws watcherDoc, now time.Time) {
	scan := "not yet"
	if !ws.LastScan.IsZero() {
		scan = ago(now, ws.LastScan) + " ago"
	}
	fmt.Fprintf(w, "Watching:\t%s (%s), last full scan %s, %d file(s) settling\n",
		strings.Join(ws.Dirs, ", "), ws.Mode, scan, ws.Pending)
	if ws.Error != "" {
		fmt.Fprintf(w, "Watch problem:\t%s\n", ws.Error)
	}
}

func printActive(w io.Writer, files []activeFile) {
	if len(files) == 0 {
		return
	}
	fmt.Fprintf(w, "\nUploading:\n")
	for _, f := range files {
		pct := 100.0
		if f.Size > 0 {
			pct = 100 * float64(f.BytesSent) / float64(f.Size)
		}
		fmt.Fprintf(w, "  %5.1f%%  %s of %s  %s\n", pct, formatBytes(f.BytesSent), formatBytes(f.Size), f.Path)
	}
}

func printFailures(w io.Writer, fails []recentFailure) {
	if len(fails) == 0 {
		return
	}
	fmt.Fprintf(w, "\nRecent failures (fix the cause, then 'odailies-uploader retry'):\n")
	for _, f := range fails {
		fmt.Fprintf(w, "  %s  %s\n      %s\n", f.At.Local().Format(time.DateTime), f.Path, f.Error)
	}
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String()
}
