package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/control"
	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/watcher"
)

// # why PATH…
//
// Why explains paths: through the running daemon's control channel
// (operation "why", answered by Daemon.Explain, which the dashboard's
// search box calls too), or, when no daemon answers, from the queue file
// (opened as report does: never created) and the rules alone, saying
// what only the running daemon could tell. Each path is resolved to the
// show whose root holds it (why_paths.go); the facts about it are gathered
// (why_facts.go) and decided on (why_decide.go); a folder is summarised
// by the states of its files (why_folder.go).

// Why answers req. A -watch that names no show is a *config.Error.
func Why(ctx context.Context, cfg *config.Config, req why.Request) (why.Result, error) {
	if _, err := ShowsNamed(cfg, req.Watch); err != nil {
		return why.Result{}, err
	}
	var res why.Result
	err := control.Dial(controlPath(cfg.State.Dir), control.ClientOptions{Log: cfg.Log.File}).Call(ctx, "why", req, &res)
	if err == nil {
		res.DaemonRunning = true
		nameHolders(cfg, res.Answers)
		return res, nil
	}
	if !errors.Is(err, control.ErrNotRunning) {
		return why.Result{}, fmt.Errorf("ask the running daemon: %w", err)
	}
	st := newStoppedSources(cfg)
	defer st.close()
	answers, err := explainAll(ctx, cfg, req, st.source)
	if err != nil {
		return why.Result{}, err
	}
	return why.Result{Answers: answers}, nil
}

// Explain answers req from the running daemon's parts: the watcher's
// loop, the queue and the uploader. Paths are absolute or relative to a
// show's root. It is what the control operation "why" and the
// dashboard's search box call.
func (d *Daemon) Explain(ctx context.Context, req why.Request) ([]why.Answer, error) {
	if _, err := ShowsNamed(d.cfg, req.Watch); err != nil {
		return nil, fmt.Errorf("%w: %v", control.ErrBadRequest, err)
	}
	return explainAll(ctx, d.cfg, req, d.whySource)
}

// answerWhy serves the control operation "why".
func (d *Daemon) answerWhy(ctx context.Context, raw json.RawMessage) (any, error) {
	var req why.Request
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("%w: why: %v", control.ErrBadRequest, err)
	}
	answers, err := d.Explain(ctx, req)
	if err != nil {
		return nil, err
	}
	return why.Result{DaemonRunning: true, Answers: answers}, nil
}

// explainAll resolves and explains every path of req, in order.
func explainAll(ctx context.Context, cfg *config.Config, req why.Request, src func(i int) (*whySource, error)) ([]why.Answer, error) {
	shows, err := ShowsNamed(cfg, req.Watch)
	if err != nil {
		return nil, err
	}
	out := make([]why.Answer, 0, len(req.Paths))
	for _, arg := range req.Paths {
		t := resolve(cfg, shows, req.Dir, arg)
		if t.show < 0 {
			out = append(out, t.orphan)
			continue
		}
		s, err := src(t.show)
		if err != nil {
			return nil, err
		}
		out = append(out, s.explain(ctx, arg, t.abs))
	}
	return out, nil
}

// nameHolders looks, from this process, for who holds each held-open
// file the daemon could not name: the service's user may not inspect
// other users' processes (a render running as root), while this command,
// run with sudo, may.
func nameHolders(cfg *config.Config, answers []why.Answer) {
	for i := range answers {
		a := &answers[i]
		if a.State != why.HeldOpen || len(a.Holders) > 0 || a.Abs == "" {
			continue
		}
		s, ok := owner(cfg.Shows, a.Abs)
		if !ok {
			continue
		}
		w, err := watcher.New(s.Watch.Root, watcher.Options{Dirs: s.Watch.Dirs})
		if err != nil {
			continue
		}
		disk, err := filepath.Rel(s.Watch.Root, a.Abs)
		if err != nil {
			continue
		}
		h := w.Writers(filepath.ToSlash(disk))
		for _, wr := range h.Writers {
			a.Holders = append(a.Holders, why.Holder{PID: wr.PID, Command: wr.Command})
		}
		if len(a.Holders) > 0 {
			_, rest, _ := strings.Cut(a.Reason, "; ")
			a.Reason = "held open: " + holdersText(h) + " (seen by this command; the daemon's user may not see it)"
			if rest != "" {
				a.Reason += "; " + rest
			}
		}
	}
}

// existsUnderRoot reports whether rel names something under one of the
// shows' roots.
func existsUnderRoot(shows []config.Show, rel string) bool {
	for _, s := range shows {
		if _, err := os.Lstat(filepath.Join(s.Watch.Root, rel)); err == nil {
			return true
		}
	}
	return false
}

// showUser is who must be able to read the files: service.user, else the
// package's service user when the daemon runs as a service.
func showUser(cfg *config.Config) string {
	if u := strings.TrimSpace(cfg.Service.User); u != "" {
		return u
	}
	return config.PackageUser
}
