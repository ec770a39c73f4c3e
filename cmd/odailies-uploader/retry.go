package main

import (
	"context"
	"fmt"

	"github.com/odailies/odailies-uploader/internal/daemon"
)

// cmdRetry puts failed jobs back in the queue: through the running
// daemon's control channel, or in the queue itself when none runs.
func cmdRetry(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("retry", "[-watch NAME] [PATH…]",
		"Put failed uploads back in the queue: all of them, or the files named (relative to watch.root, or absolute).")
	watch := fs.String("watch", "", "only the show named `NAME` (a [[watch]] table's name); default: every show")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	paths, err := daemon.RetryPathsIn(cfg, *watch, fs.Args())
	if err != nil {
		return usageErrorf("retry: %w", err)
	}
	n, how, err := daemon.Retry(ctx, cfg, *watch, paths)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d failed upload(s) put back in the queue %s.\n", n, how)
	if n == 0 && len(paths) > 0 {
		fmt.Fprintf(c.stdout, "None of the files named is a failed upload; 'odailies-uploader status' lists recent failures.\n")
	}
	return nil
}

// cmdReport prints the delivery report: from the running daemon, or from queue.db when none runs.
func cmdReport(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("report", "[-watch NAME] [-since D] [-prefix P] [-csv|-json]", "The delivery report: every file uploaded, with its size, MD5, when, and how the storage verified it.")
	var f daemon.ReportFlags
	fs.StringVar(&f.Since, "since", "", "only files uploaded since `D`: 24h, 3d, 2026-04-22, today, or an RFC 3339 time")
	fs.StringVar(&f.Prefix, "prefix", "", "only paths starting with `P`, relative to watch.root (_graded/Day03/)")
	fs.BoolVar(&f.CSV, "csv", false, "CSV with a header row")
	fs.BoolVar(&f.JSON, "json", false, "JSON")
	fs.StringVar(&f.Watch, "watch", "", "the show named `NAME` (required when the config has several)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	req, format, err := f.RequestFor(cfg, fs.Args())
	if err != nil {
		return usageErrorf("report: %w", err)
	}
	return daemon.WriteReport(ctx, c.stdout, cfg, req, format)
}
