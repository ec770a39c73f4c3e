package main

import "context"

// cmdRun will run the daemon in the foreground. Until it lands, it checks
// its flags and the config, in the order the daemon will, so a broken
// config already fails here with exit 2.
func cmdRun(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("run", "", "Run the daemon in the foreground (what the service runs).")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if _, err := c.config(*configPath); err != nil {
		return err
	}
	return notLanded("run")
}
