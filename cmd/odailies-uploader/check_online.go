package main

import (
	"context"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
)

// checkOnline asks the API, for each show, to sign the probe path and
// says, in plain words, whether uploads will work.
func checkOnline(ctx context.Context, c *cli, cfg *config.Config) error {
	return daemon.CheckShows(ctx, cfg, c.stdout)
}
