package main

import (
	"context"
	"errors"
	"fmt"
)

// How runDaemon runs the daemon.
const (
	modeRun  = iota // until ctx ends or the service manager stops it
	modeSync        // a pass that ends when everything settled is uploaded
	modeDemo        // in the foreground, never as a service
)

// runDaemon opens the daemon with its status log and runs it in mode.
func runDaemon(ctx context.Context, c *cli, cfg *Config, mode int) error {
	logger, closer, err := newLogger(cfg.Log, c.stderr, newRedactor(cfg.API.Token))
	if err != nil {
		return err
	}
	defer closer.Close()
	d, err := openDaemon(cfg, logger)
	if err != nil {
		logger.Error("cannot start", "err", err)
		return err
	}
	defer d.Close()
	switch mode {
	case modeRun:
		err = runService(ctx, cfg, logger, func(ctx context.Context) error { return d.Run(ctx, false) })
	default:
		err = d.Run(ctx, mode == modeSync)
	}
	switch {
	case errors.Is(err, errJobsFailed):
		n := d.queue.Counts().Failed
		logger.Warn("sync finished with failed uploads", "failed", n)
		err = fmt.Errorf("%d upload(s) failed: %w", n, errJobsFailed)
	case err != nil:
		logger.Error("stopped on an error", "err", err)
	}
	return err
}
