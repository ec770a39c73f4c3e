package main

import (
	"context"
	"fmt"

	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/clipfile"
)

// sendPatches sends the batches in order and says how far it got. A
// failed request stops the rest: the batches already sent stay applied.
func sendPatches(ctx context.Context, c *cli, configPath string, batches [][]odailies.Clip, total int, note string) error {
	cfg, client, err := c.apiClient(configPath)
	if err != nil {
		return err
	}
	done := 0
	for i, batch := range batches {
		if _, err := client.PatchClips(ctx, batch); err != nil {
			err = daemon.ClipsRefusal(err, cfg, "Write", "change")
			return partialError(err, done, total, i, len(batches))
		}
		done += len(batch)
	}
	fmt.Fprintf(c.stdout, "updated %s in %s%s\n", plural(done, "clip"), plural(len(batches), "request"), note)
	return nil
}

// partialError adds to err how much was sent before it, when anything was.
func partialError(err error, done, total, sent, requests int) error {
	if sent == 0 {
		return err
	}
	return fmt.Errorf("updated %d of %d clips (%d of %d requests) before a request failed; the rest were not sent: %w",
		done, total, sent, requests, err)
}

// plural is "1 clip", "2 clips".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dryRun prints each request body, indented, one JSON document per request,
// and a summary on stderr. It reads no config and needs no token.
func dryRun(c *cli, batches [][]odailies.Clip, total int, note string) error {
	for _, batch := range batches {
		body, err := clipfile.PatchBody(batch)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.stdout, "%s\n", body); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.stderr, "odailies-uploader: dry run: would update %s in %s%s; nothing was sent\n",
		plural(total, "clip"), plural(len(batches), "request"), note)
	return nil
}
