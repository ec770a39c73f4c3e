package main

import (
	"context"
	"path/filepath"

	"github.com/odailies/odailies-uploader/internal/demo"
)

// cmdDemo runs the daemon for real against a sandbox on this machine: the
// fake oDailies API on a loopback port, storing what it receives under
// DIR/received.
func cmdDemo(ctx context.Context, c *cli, args []string) error {
	fs, _ := c.commandFlags("demo", "[-dir DIR]",
		"Try odailies-uploader without an oDailies account: a sandbox API and storage on this machine,\n"+
			"a demo folder with sample files, and the daemon in the foreground. Ctrl-C stops it.")
	dirFlag := fs.String("dir", "odailies-demo", "the demo folder (created)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, err := filepath.Abs(*dirFlag)
	if err != nil {
		return usageErrorf("demo: -dir: %v", err)
	}
	sb, err := demo.Prepare(dir)
	if err != nil {
		return err
	}
	defer sb.Close()
	cfg, err := c.config(sb.Config)
	if err != nil {
		return err
	}
	demo.Banner(c.stdout, dir, sb.API.URL())
	return runDaemon(ctx, c, cfg, modeDemo, 0)
}
