package main

import "context"

// cmdRun runs the daemon in the foreground, or under the service manager
// when it started it.
func cmdRun(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("run", "", "Run the daemon in the foreground (what the service runs).")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	return runDaemon(ctx, c, cfg, modeRun, 0)
}
