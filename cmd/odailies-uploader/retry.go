package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/queue"
)

// cmdRetry puts failed jobs back in the queue: directly when no daemon
// runs, through a request file when one holds the queue.
func cmdRetry(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("retry", "[PATH…]",
		"Put failed uploads back in the queue: all of them, or the files named (relative to watch.root, or absolute).")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return err
	}
	paths, err := retryPaths(cfg.Watch.Root, fs.Args())
	if err != nil {
		return err
	}
	n, how, err := requeue(ctx, cfg, paths)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d failed upload(s) put back in the queue%s.\n", n, how)
	if n == 0 && len(paths) > 0 {
		fmt.Fprintf(c.stdout, "None of the files named is a failed upload; 'odailies-uploader status' lists recent failures.\n")
	}
	return nil
}

func requeue(ctx context.Context, cfg *Config, paths []string) (int, string, error) {
	q, err := queue.Open(filepath.Join(cfg.State.Dir, "queue.db"), queue.Options{Timeout: 300 * time.Millisecond})
	if errors.Is(err, queue.ErrLocked) {
		n, err := handRetry(ctx, cfg.State.Dir, paths)
		return n, " by the running daemon", err
	}
	if err != nil {
		return 0, "", fmt.Errorf("open the queue: %w", err)
	}
	defer q.Close()
	n, err := q.Requeue(paths)
	if err != nil {
		return 0, "", fmt.Errorf("requeue: %w", err)
	}
	return n, "; they are sent when the daemon next runs", nil
}

// retryPaths turns the command's arguments into queue paths: slash
// separated and relative to root.
func retryPaths(root string, args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		p := a
		if filepath.IsAbs(p) {
			rel, err := filepath.Rel(root, p)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, usageErrorf("retry: %s is not under watch.root %s", a, root)
			}
			p = rel
		}
		p = filepath.ToSlash(filepath.Clean(p))
		if p == "." || strings.HasPrefix(p, "../") {
			return nil, usageErrorf("retry: %s is not a file under watch.root", a)
		}
		out = append(out, p)
	}
	return out, nil
}
