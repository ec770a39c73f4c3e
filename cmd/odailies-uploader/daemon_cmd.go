package main

import (
	"context"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/internal/logging"
	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/service"
)

// How runDaemon runs the daemon.
const (
	modeRun  = iota // until ctx ends or the service manager stops it
	modeSync        // a pass that ends when everything settled is uploaded
	modeDemo        // in the foreground, never as a service
)

// runDaemon opens the daemon with its status log and runs it in mode;
// giveUp is sync's -give-up.
func runDaemon(ctx context.Context, c *cli, cfg *config.Config, mode int, giveUp time.Duration) error {
	if err := daemon.CheckRunAs(cfg); err != nil {
		return err // before the log is opened: it would create the log as root
	}
	logger, closer, err := logging.New(cfg.Log, c.stderr, redact.New(cfg.API.Token))
	if err != nil {
		return err
	}
	defer closer.Close()
	d, err := daemon.Open(cfg, logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		return err
	}
	defer d.Close()
	switch mode {
	case modeRun:
		return service.Run(ctx, cfg, logger, d.Run)
	case modeSync:
		return d.Sync(ctx, daemon.SyncOptions{GiveUp: giveUp})
	}
	return d.Run(ctx)
}
