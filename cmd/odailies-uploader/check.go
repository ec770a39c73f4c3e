package main

import (
	"context"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
)

// cmdCheck validates the config, prints the effective settings with the
// token redacted and, unless -offline, asks the API whether the token may
// upload. Unlike for run, a missing root or watched folder is an error.
func cmdCheck(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("check", "[-offline]",
		"Validate the config, print the effective settings (token redacted) and,\nunless -offline, ask the API whether the token may upload.")
	offline := fs.Bool("offline", false, "only check the config and folders; do not contact the API")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, warnings, err := config.Load(*configPath, c.getenv)
	if err != nil {
		return err
	}
	daemon.WriteSettings(c.stdout, cfg, warnings)
	if !*offline {
		if err := checkOnline(ctx, c, cfg); err != nil {
			return err
		}
	}
	return daemon.FolderErrors(cfg)
}
