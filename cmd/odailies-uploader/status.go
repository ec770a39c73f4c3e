package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/service"
	"github.com/odailies/odailies-uploader/internal/status"
)

// cmdStatus prints the daemon's status file, for people or (-json) for
// scripts. It reads only the file, so it works while the daemon runs.
func cmdStatus(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("status", "[-json]",
		"Show what the daemon is doing, read from <state.dir>/status.json.")
	asJSON := fs.Bool("json", false, "print status.json as it is")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	doc, raw, err := status.Read(status.Path(cfg.State.Dir))
	if err != nil {
		return statusReadError(cfg, err)
	}
	if *asJSON {
		_, err := c.stdout.Write(raw)
		return err
	}
	status.Render(c.stdout, doc, time.Now(), service.State(cfg))
	return nil
}

func statusReadError(cfg *config.Config, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no status yet at %s: the daemon has not run with this config (start it with 'odailies-uploader start' or 'run')", status.Path(cfg.State.Dir))
	}
	return err
}
