package main

import (
	"context"
	"fmt"
	"io"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/odailies"
)

// cmdClips runs `clips get` or `clips patch`: the v1 clip metadata calls.
func cmdClips(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		clipsUsage(c.stderr)
		return usageErrorf("clips needs a subcommand: get or patch")
	}
	switch args[0] {
	case "get":
		return clipsGet(ctx, c, args[1:])
	case "patch":
		return clipsPatch(ctx, c, args[1:])
	case "-h", "-help", "--help", "help":
		clipsUsage(c.stdout)
		return nil
	}
	clipsUsage(c.stderr)
	return usageErrorf("unknown clips subcommand %q (want get or patch)", args[0])
}

func clipsUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n"+
		"  odailies-uploader clips get [-config FILE] [-json | -csv]\n"+
		"  odailies-uploader clips patch [-config FILE] [options] -f FILE\n"+
		"  odailies-uploader clips patch [-config FILE] [options] NAME key=value...\n\n"+
		"Run 'odailies-uploader clips get -h' or 'clips patch -h' for the options.\n")
}

// apiClient loads the config and builds its API client.
func (c *cli) apiClient(configPath string) (*config.Config, *odailies.Client, error) {
	cfg, err := c.config(configPath)
	if err != nil {
		return nil, nil, err
	}
	client, err := daemon.APIClient(cfg)
	return cfg, client, err
}
