package main

import (
	"context"

	"github.com/odailies/odailies-uploader/internal/daemon"
)

// cmdSync runs one pass: scan, let young files settle, upload, and exit
// when nothing is queued or active.
func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("sync", "[-give-up DURATION]",
		"Scan the watched folders, upload everything once it has settled, and exit.\n"+
			"Exit status 1 if any upload failed, if interrupted with work left, or if nothing\n"+
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
