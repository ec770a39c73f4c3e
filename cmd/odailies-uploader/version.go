package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/odailies/odailies-uploader/internal/buildinfo"
)

// cmdVersion prints the version, commit, Go version and platform.
func cmdVersion(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: odailies-uploader version\n\nprint version, commit, Go version and platform\n")
	}
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	b := buildinfo.Get()
	fmt.Fprintf(c.stdout, "odailies-uploader %s\ncommit:   %s\ngo:       %s\nplatform: %s\n", b.Version, b.Commit, b.GoVersion, b.Platform)
	return nil
}
