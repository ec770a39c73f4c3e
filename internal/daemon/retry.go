package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/control"
	"github.com/odailies/odailies-uploader/queue"
	"golang.org/x/text/unicode/norm"
)

// How Retry reached the queue.
const (
	ByDaemon = "by the running daemon"
	Directly = "directly; they are sent when the daemon next runs"
)

// Retry puts failed jobs back in the queue (paths relative to watch.root;
// none: every failed job) and says how it did: through the running
// daemon's control channel, or, when no daemon answers, in queue.db
// itself. It creates nothing in state.dir, so it is safe to run as root
// beside a daemon that runs as the service user.
func Retry(ctx context.Context, cfg *config.Config, watch string, paths []string) (n int, how string, err error) {
	shows, err := ShowsNamed(cfg, watch)
	if err != nil {
		return 0, "", err
	}
	var ans RetryAnswer
	err = control.Dial(controlPath(cfg.State.Dir), control.ClientOptions{Log: cfg.Log.File}).Call(ctx, "retry", RetryRequest{Paths: paths, Watch: watch}, &ans)
	if err == nil {
		return ans.Requeued, ByDaemon, nil
	}
	if !errors.Is(err, control.ErrNotRunning) {
		return 0, "", fmt.Errorf("hand the request to the running daemon: %w", err)
	}
	for _, s := range shows {
		m, err := requeueDirectly(cfg, s, paths)
		if err != nil {
			return n, Directly, showErr(cfg, s, err)
		}
		n += m
	}
	return n, Directly, nil
}

// RetryPathsIn is RetryPaths under the root of the show named watch (the
// only show when watch is ""); files named with several shows need a
// show.
func RetryPathsIn(cfg *config.Config, watch string, args []string) ([]string, error) {
	shows, err := ShowsNamed(cfg, watch)
	if err != nil {
		return nil, err
	}
	if len(shows) > 1 && len(args) > 0 {
		return nil, fmt.Errorf("the config has %d shows: name the one the files are in with -watch NAME", len(shows))
	}
	return RetryPaths(shows[0].Watch.Root, args)
}

// ShowsNamed is the show named name, or every show when name is "".
func ShowsNamed(cfg *config.Config, name string) ([]config.Show, error) {
	if name == "" {
		return cfg.Shows, nil
	}
	var names []string
	for _, s := range cfg.Shows {
		if s.Name == name {
			return []config.Show{s}, nil
		}
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	return nil, config.Errorf("-watch %q: no show of %s is named so: it has %s", name, cfg.Path, strings.Join(names, ", "))
}

// showErr names the show in err when the config has several.
func showErr(cfg *config.Config, s config.Show, err error) error {
	if len(cfg.Shows) < 2 {
		return err
	}
	return fmt.Errorf("show %q: %w", s.Name, err)
}

// requeueDirectly opens an existing queue.db, never creating one.
func requeueDirectly(cfg *config.Config, s config.Show, paths []string) (int, error) {
	p, err := QueuePath(cfg, s)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return 0, nil // never run with this state.dir: nothing failed
	} else if err != nil {
		return 0, fmt.Errorf("open the queue: %w", err)
	}
	q, err := queue.Open(p, queue.Options{Timeout: 300 * time.Millisecond})
	if errors.Is(err, queue.ErrLocked) {
		return 0, fmt.Errorf("a daemon holds %s but does not answer on %s (an older version, or stuck): restart it, then retry: %w",
			p, controlPath(cfg.State.Dir), err)
	}
	if err != nil {
		return 0, fmt.Errorf("open the queue: %w", err)
	}
	defer q.Close()
	n, err := q.Requeue(paths)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	return n, nil
}

// RetryPaths turns paths named by a person (relative to root, or
// absolute under it) into queue paths: slash separated and relative to
// root, in Unicode NFC like every queue path.
func RetryPaths(root string, args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		p := a
		if filepath.IsAbs(p) {
			rel, err := filepath.Rel(root, p)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("%s is not under watch.root %s", a, root)
			}
			p = rel
		}
		p = filepath.ToSlash(filepath.Clean(p))
		if p == "." || strings.HasPrefix(p, "../") {
			return nil, fmt.Errorf("%s is not a file under watch.root", a)
		}
		out = append(out, norm.NFC.String(p)) // queue paths are NFC, as the API names files
	}
	return out, nil
}
