package main

import (
	"context"
	"fmt"

	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/clipfile"
)

// clipsGet prints the project's clips as a table, JSON or CSV.
func clipsGet(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("clips get", "[-json | -csv]",
		"Print the project's clip metadata: a table sorted by clip name, the API's\n"+
			"map as JSON (-json), or one CSV row per clip with the v1 keys as columns (-csv).")
	asJSON := fs.Bool("json", false, "print the API's map of clips, indented")
	asCSV := fs.Bool("csv", false, "print CSV: a header of every v1 key (then other keys the server sent, sorted), one row per clip")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usageErrorf("clips get: -json and -csv cannot be used together")
	}
	clips, err := fetchClips(ctx, c, *configPath)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		return clipfile.WriteJSON(c.stdout, clips)
	case *asCSV:
		return clipfile.WriteCSV(c.stdout, clips)
	case len(clips) == 0:
		fmt.Fprintln(c.stderr, "odailies-uploader: the project has no clips yet")
		return nil
	}
	return clipfile.WriteTable(c.stdout, clips)
}

// fetchClips loads the config and asks the API for every clip.
func fetchClips(ctx context.Context, c *cli, configPath string) (map[string]odailies.Clip, error) {
	cfg, client, err := c.apiClient(configPath)
	if err != nil {
		return nil, err
	}
	clips, err := client.Clips(ctx)
	if err != nil {
		return nil, daemon.ClipsRefusal(err, cfg, "Read", "read")
	}
	return clips, nil
}
