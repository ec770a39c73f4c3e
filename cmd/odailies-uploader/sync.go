package main

import (
	"context"

	"github.com/odailies/odailies-uploader/internal/daemon"
)

// cmdSync runs one pass: scan, let young files settle, upload, and exit
// when nothing is queued or active and no after-upload action is pending.
func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("sync", "[-give-up DURATION]",
		"Scan the watched folders, upload everything once it has settled, move or delete\n"+
			"each file uploaded when watch.after_upload says so, and exit. Exit status 1 if any\n"+
			"upload or after-upload action failed, if interrupted with work left, or if nothing\n"+
			"could be uploaded for the -give-up time (saying why).")
	giveUp := fs.Duration("give-up", daemon.DefaultGiveUp, "stop when nothing could be uploaded for `DURATION`")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *giveUp <= 0 {
		return usageErrorf("sync: -give-up must be above zero, got %s", *giveUp)
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	return runDaemon(ctx, c, cfg, modeSync, *giveUp)
}
