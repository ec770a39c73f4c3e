package main

import (
	"context"
	"fmt"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/internal/redact"
)

// checkOnline asks the API to sign the probe path and says, in plain
// words, whether uploads will work.
func checkOnline(ctx context.Context, c *cli, cfg *config.Config) error {
	fmt.Fprintf(c.stdout, "\nAsking %s whether this token may upload…\n", redact.New(cfg.API.Token).String(cfg.API.BaseURL))
	signed, err := daemon.CheckUpload(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "OK: project %q exists and the token may upload (signed URLs live %s",
		cfg.API.ProjectID, signed.Remaining(time.Now()).Round(time.Second))
	if skew := signed.Skew.Round(time.Second); skew != 0 {
		fmt.Fprintf(c.stdout, "; this machine's clock is off by %s, which is corrected for", -skew)
	}
	fmt.Fprintln(c.stdout, ").")
	return nil
}
