package main

import (
	"context"
	"os"

	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/internal/why"
)

// cmdWhy explains what the daemon knows of each path and why it is or is
// not uploaded: from the running daemon, or from the queue and the rules.
// Exit 0 when every path was explained, 1 when one cannot be read.
func cmdWhy(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("why", "[-watch NAME] [-json] PATH…",
		"Say, for each file or folder (absolute, relative to here, or relative to a root), whether it is uploaded\nand why not: ignored by which rule, settling, held open, queued, uploading, done, failed, gone.")
	watch := fs.String("watch", "", "the show named `NAME` (default: the show whose root holds each path)")
	asJSON := fs.Bool("json", false, "print JSON for scripts (keys: see the README)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageErrorf("why: name at least one PATH")
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	dir, _ := os.Getwd()
	res, err := daemon.Why(ctx, cfg, why.Request{Paths: fs.Args(), Watch: *watch, Dir: dir})
	if err == nil {
		err = why.Print(c.stdout, res, *asJSON)
	}
	if err == nil && res.Unreadable() {
		err = errReported // explained in the answer
	}
	return err
}
