package main

import "context"

// cmdSync runs one pass: scan, let young files settle, upload, and exit
// when nothing is queued or active.
func cmdSync(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("sync", "",
		"Scan the watched folders, upload everything once it has settled, and exit.\nExit status 1 if any upload failed.")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	return runDaemon(ctx, c, cfg, modeSync)
}
