package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/atomicfile"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/status"
	"github.com/odailies/odailies-uploader/uploader"
)

// # Several shows
//
// A config with several shows runs one pipeline per show (watcher, queue,
// uploader: a child Daemon each, in d.shows) under one process: one
// errgroup, one status.json, one control channel, one log (lines name
// the show, watch=NAME), and one uploader.Shared for the worker budget
// and the bandwidth cap. A config with one show is one Daemon, exactly as
// before.
//
// # Whose state is whose
//
// Each show has its own queue file. What identifies a show's uploads is
// its root and project, never its name. Every queue file has a record of
// whose it is, rewritten at each start: <state.dir>/queue.db, the
// single-show layout, has queue.json beside it; the others are
// <state.dir>/watches/<ID>/queue.db with watch.json, ID the first 16 hex
// digits of SHA-256(root "\n" project) when the folder was made. A show's
// queue is, in order:
//
//  1. the file whose record names its root and project (a folder with no
//     record: the one named by its ID);
//  2. else, its root having moved, the one recorded file of its project
//     that no show of the config claims, when it is the only show of that
//     project without a file (logged, with the old root);
//  3. else <state.dir>/queue.db with no record (an earlier version wrote
//     it) when the config has one show; with several it is refused, as
//     nobody can tell whose it is: run once with that show alone;
//  4. else new: <state.dir>/queue.db for a config of one show when there
//     is none, watches/<ID>/queue.db otherwise (<ID>-2… when a moved show
//     holds that folder).
//
// So renaming a show, rewriting the single-show form as one [[watch]]
// table, adding shows beside it, or moving its root never sends its files
// again, and one show never takes another's done records as its own. A
// single-show config of an earlier version keeps <state.dir>/queue.db as
// it is.

// ShowID is what keys a show's state: its root and project.
func ShowID(s config.Show) string {
	sum := sha256.Sum256([]byte(s.Watch.Root + "\n" + s.API.ProjectID))
	return hex.EncodeToString(sum[:8])
}

// ownerFile records whose queue <state.dir>/queue.db is.
const ownerFile = "queue.json"

// queueOwner is the content of ownerFile.
type queueOwner struct {
	Name      string `json:"name"`
	Root      string `json:"root"`
	ProjectID string `json:"project_id"`
}

// QueuePath is the queue file of show s under cfg, by the rule above.
// It creates nothing. A several-shows config that meets a queue.db
// nobody recorded gets a *config.Error saying what to do.
func QueuePath(cfg *config.Config, s config.Show) (string, error) {
	dir := cfg.State.Dir
	files, err := queueFiles(dir)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if f.isOf(s) {
			return f.path, nil
		}
	}
	// A show whose root moved: the one recorded queue of its project that
	// no show of the config claims, when this is the only show of that
	// project without one.
	var moved []stateFile
	for _, f := range files {
		if f.recorded && f.owner.ProjectID == s.API.ProjectID && !claimed(f, cfg.Shows) {
			moved = append(moved, f)
		}
	}
	lacking := 0
	for _, t := range cfg.Shows {
		if t.API.ProjectID == s.API.ProjectID && !hasQueue(t, files) {
			lacking++
		}
	}
	if len(moved) == 1 && lacking == 1 {
		return moved[0].path, nil
	}
	legacy := filepath.Join(dir, QueueFile)
	for _, f := range files {
		if f.path != legacy || f.recorded {
			continue
		}
		if len(cfg.Shows) == 1 {
			return legacy, nil // written by an earlier version, for this one show
		}
		return "", config.Errorf("%s was written by an earlier version for one show, and the config now has %d: "+
			"which show's uploads it holds is not recorded. Run once with only that show in %s (so %s records it), "+
			"then add the others; otherwise its files would be sent again, or another show's taken as sent",
			legacy, len(cfg.Shows), cfg.Path, ownerFile)
	}
	if len(cfg.Shows) == 1 && !exists(legacy) {
		return legacy, nil
	}
	keyed := filepath.Join(dir, "watches", ShowID(s))
	for n := 2; exists(keyed); n++ { // taken by a show whose root moved away from this one's
		keyed = filepath.Join(dir, "watches", fmt.Sprintf("%s-%d", ShowID(s), n))
	}
	return filepath.Join(keyed, QueueFile), nil
}

// stateFile is a queue file in state.dir and whose it says it is.
type stateFile struct {
	path     string
	owner    queueOwner
	recorded bool // owner is from its record (queue.json, watch.json)
}

// isOf reports whether f is show s's by its record, or, unrecorded, by
// its folder's name.
func (f stateFile) isOf(s config.Show) bool {
	if f.recorded {
		return f.owner.Root == s.Watch.Root && f.owner.ProjectID == s.API.ProjectID
	}
	parent := filepath.Dir(f.path)
	return filepath.Base(filepath.Dir(parent)) == "watches" && filepath.Base(parent) == ShowID(s)
}

// claimed reports whether one of shows owns f.
func claimed(f stateFile, shows []config.Show) bool {
	for _, t := range shows {
		if f.isOf(t) {
			return true
		}
	}
	return false
}

// hasQueue reports whether one of files is show s's.
func hasQueue(s config.Show, files []stateFile) bool {
	for _, f := range files {
		if f.isOf(s) {
			return true
		}
	}
	return false
}

// queueFiles lists the queue files in dir with their records:
// <dir>/queue.db (queue.json) and <dir>/watches/*/queue.db (watch.json).
func queueFiles(dir string) ([]stateFile, error) {
	var out []stateFile
	add := func(p, record string) error {
		o, err := readOwner(record)
		switch {
		case err == nil:
			out = append(out, stateFile{path: p, owner: o, recorded: true})
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, stateFile{path: p})
		default:
			return err
		}
		return nil
	}
	if legacy := filepath.Join(dir, QueueFile); exists(legacy) {
		if err := add(legacy, filepath.Join(dir, ownerFile)); err != nil {
			return nil, err
		}
	}
	keyed, err := filepath.Glob(filepath.Join(dir, "watches", "*", QueueFile))
	if err != nil {
		return nil, err
	}
	for _, p := range keyed {
		if err := add(p, filepath.Join(filepath.Dir(p), showInfoFile)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// readOwner reads a queue's record.
func readOwner(p string) (queueOwner, error) {
	var o queueOwner
	b, err := os.ReadFile(p)
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("read %s: %w (remove it if the queue beside it is this show's: the next start writes it again)", p, err)
	}
	return o, nil
}

// showConfig is cfg as one show's pipeline sees it: its API, tree and
// priority in the places a single-show config has them.
func showConfig(cfg *config.Config, s config.Show) *config.Config {
	c := *cfg
	c.API, c.Watch = s.API, s.Watch
	c.Upload.Priority = s.Priority
	c.Shows = []config.Show{s}
	return &c
}

// openShows opens one child Daemon per show, sharing shared.
func (d *Daemon) openShows() error {
	d.shared = uploader.NewShared(uploader.SharedOptions{
		Workers:           d.cfg.Upload.Workers,
		Bandwidth:         d.cfg.Upload.Bandwidth,
		BandwidthSchedule: d.cfg.Upload.BandwidthSchedule,
		Logger:            d.log.With("component", "uploader"),
	})
	for _, s := range d.cfg.Shows {
		child, err := d.openShow(s)
		if err != nil {
			d.Close()
			return fmt.Errorf("show %q: %w", s.Name, err)
		}
		d.shows = append(d.shows, child)
	}
	return nil
}

// openShow opens show s's queue and builds its watcher and uploader.
func (d *Daemon) openShow(s config.Show) (*Daemon, error) {
	p, err := QueuePath(d.cfg, s)
	if err != nil {
		return nil, err
	}
	for _, c := range d.shows {
		if c.queuePath == p { // the rule gives each show its own; never share one
			return nil, fmt.Errorf("its queue %s is show %q's too: move one show's state aside and report this", p, c.name)
		}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, config.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	log := d.log.With("watch", s.Name)
	q, err := openQueue(p, s.Priority, log)
	if err != nil {
		return nil, err
	}
	noteShowInfo(log, p, s)
	child := &Daemon{cfg: showConfig(d.cfg, s), log: log, queue: q, name: s.Name, shared: d.shared, queuePath: p, tell: d.tell}
	if err := child.buildPipeline(); err != nil {
		q.Close()
		return nil, err
	}
	return child, nil
}

// showInfoFile records whose queue <state.dir>/watches/<ID>/queue.db is.
const showInfoFile = "watch.json"

// writeShowInfo records beside a show's queue whose it is: queue.json for
// <state.dir>/queue.db, watch.json in its own folder. It returns the root
// the record held before when it was another (the show's root moved: its
// queue was kept), else "".
func writeShowInfo(p string, s config.Show) (movedFrom string, err error) {
	b, err := json.MarshalIndent(queueOwner{Name: s.Name, Root: s.Watch.Root, ProjectID: s.API.ProjectID}, "", "  ")
	if err != nil {
		return "", err
	}
	record := filepath.Join(filepath.Dir(p), showInfoFile)
	if filepath.Base(filepath.Dir(filepath.Dir(p))) != "watches" {
		record = filepath.Join(filepath.Dir(p), ownerFile)
	}
	if old, err := readOwner(record); err == nil && old.Root != s.Watch.Root {
		movedFrom = old.Root
	}
	return movedFrom, atomicfile.Write(record, append(b, '\n'))
}

// noteShowInfo writes the record of show s's queue p, logging a root that
// moved and a record that cannot be written.
func noteShowInfo(log *slog.Logger, p string, s config.Show) {
	movedFrom, err := writeShowInfo(p, s)
	if movedFrom != "" {
		log.Warn("the show's root moved; its queue is kept, so files at the same paths under the new root are not sent again",
			"was", movedFrom, "root", s.Watch.Root, "queue", p)
	}
	if err != nil {
		log.Warn("cannot record whose queue this is", "path", p, "err", err)
	}
}

// show is the child of the show named name, or an error listing them.
func (d *Daemon) show(name string) (*Daemon, error) {
	for _, c := range d.shows {
		if c.name == name {
			return c, nil
		}
	}
	var names []string
	for _, s := range d.cfg.Shows {
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	return nil, fmt.Errorf("no show is named %q: the config has %s", name, strings.Join(names, ", "))
}

// runShows runs every show's watcher, uploader and after-upload actor,
// and the shared budget, in g.
func (d *Daemon) runShows(ctx context.Context, gGo func(func() error)) {
	gGo(func() error { return d.shared.Run(ctx) })
	for _, c := range d.shows {
		gGo(func() error { return c.watcher.Run(ctx, &enqueuer{q: c.queue, log: c.log}) })
		gGo(func() error { return c.up.Run(ctx) })
		gGo(func() error { return c.actor.Run(ctx) })
	}
}

// collectShows is the status of several shows: each one's entry, and
// their totals in the document's own keys (watcher.dirs lists every
// show's folders as absolute paths; a problem path is prefixed with its
// show). The top-level state is running while any show can upload; when
// every show is blocked it is the first show's state. Detail names each
// show that is not running.
func (r *reporter) collectShows(now time.Time) *status.Doc {
	var doc *status.Doc
	var problems []string
	blocked := 0
	for _, c := range r.d.shows {
		cd := r.collectOne(c, now)
		w := status.Watch{Name: c.name, State: cd.State, Detail: cd.Detail, Root: c.cfg.Watch.Root,
			ProjectID: c.cfg.API.ProjectID, Queued: cd.Queued, Active: cd.Active, Done: cd.Done,
			Failed: cd.Failed, Gone: cd.Gone, BytesDone: cd.BytesDone, Rate: cd.Rate}
		if cd.State != status.Running {
			blocked++
			problems = append(problems, fmt.Sprintf("show %q: %s: %s", c.name, cd.State, cd.Detail))
		}
		for i := range cd.ActiveFiles {
			cd.ActiveFiles[i].Watch = c.name
		}
		for i := range cd.RecentFailures {
			cd.RecentFailures[i].Watch = c.name
		}
		for i := range cd.Watcher.Problems {
			cd.Watcher.Problems[i].Path = c.name + ": " + cd.Watcher.Problems[i].Path
		}
		for i, dir := range cd.Watcher.Dirs { // each show's folders, told apart
			cd.Watcher.Dirs[i] = filepath.Join(c.cfg.Watch.Root, filepath.FromSlash(dir))
		}
		if doc == nil {
			doc = cd
			if cd.Watcher.Error != "" {
				doc.Watcher.Error = fmt.Sprintf("show %q: %s", c.name, cd.Watcher.Error)
			}
		} else {
			addStatus(doc, cd, c.name)
		}
		doc.Watches = append(doc.Watches, w)
	}
	doc.State, doc.Detail = status.Running, strings.Join(problems, "; ")
	if blocked == len(r.d.shows) {
		doc.State = doc.Watches[0].State
	}
	return doc
}

// showsChanged logs each show whose state changed, naming it: with
// several shows the top-level state stays running while one is blocked.
func (r *reporter) showsChanged(ws []status.Watch) {
	if r.showStates == nil {
		r.showStates = map[string]status.State{}
	}
	for _, w := range ws {
		was, ok := r.showStates[w.Name]
		if !ok {
			was = status.Running
		}
		if w.State == was {
			continue
		}
		r.showStates[w.Name] = w.State
		if w.State == status.Running {
			r.log.Info(fmt.Sprintf("health of show %q: back to normal", w.Name), "watch", w.Name, "was", was)
		} else {
			r.log.Warn(fmt.Sprintf("health of show %q: %s", w.Name, w.State), "watch", w.Name, "problem", w.Detail, "was", was)
		}
	}
}

// addStatus adds show name's status cd into the totals doc.
func addStatus(doc, cd *status.Doc, name string) {
	doc.Queued += cd.Queued
	doc.Active += cd.Active
	doc.Done += cd.Done
	doc.Failed += cd.Failed
	doc.Gone += cd.Gone
	doc.Missing += cd.Missing
	doc.ActionsPending += cd.ActionsPending
	doc.ActionsFailed += cd.ActionsFailed
	doc.ActionsDone += cd.ActionsDone
	doc.BytesDone += cd.BytesDone
	doc.QueuedBytes += cd.QueuedBytes
	doc.Rate += cd.Rate
	doc.ETASeconds = max(doc.ETASeconds, cd.ETASeconds)
	doc.Verified.ETag += cd.Verified.ETag
	doc.Verified.ContentMD5 += cd.Verified.ContentMD5
	doc.Verified.None += cd.Verified.None
	doc.Verified.Unknown += cd.Verified.Unknown
	doc.ActiveFiles = append(doc.ActiveFiles, cd.ActiveFiles...)
	doc.RecentFailures = append(doc.RecentFailures, cd.RecentFailures...)
	dw, cw := &doc.Watcher, cd.Watcher
	dw.Dirs = append(dw.Dirs, cw.Dirs...)
	if cw.LastScan.IsZero() || cw.LastScan.Before(dw.LastScan) {
		dw.LastScan = cw.LastScan // the tree is scanned once every show's is
	}
	if cw.Error != "" {
		dw.Error = strings.TrimPrefix(dw.Error+"; ", "; ") + fmt.Sprintf("show %q: %s", name, cw.Error)
	}
	dw.Pending += cw.Pending
	dw.Problems = append(dw.Problems, cw.Problems...)
	dw.MoreProblems += cw.MoreProblems
}

// syncShows is Sync for several shows: each show ends by its own rules
// (shows.go, sync.go), and sync returns when every show has ended. A show
// that ends on an error (its token refused, nothing uploaded for GiveUp)
// is logged naming it when it happens, and the others go on; the error
// returned names every show that did not finish, "show "B": …".
func (d *Daemon) syncShows(ctx context.Context, o SyncOptions) error {
	waits := make([]*syncWait, len(d.shows))
	ended := make([]bool, len(d.shows))
	errs := make([]error, len(d.shows))
	left := len(d.shows)
	for i, c := range d.shows {
		waits[i] = &syncWait{d: c, giveUp: o.GiveUp, now: time.Now}
		if err := c.noFolderAtAll(); err != nil {
			c.log.Error("nothing to sync for this show", "err", err)
			ended[i], errs[i] = true, err
			left--
		}
	}
	if left == 0 {
		return d.showsError(errs)
	}
	wait := func(ctx context.Context) error {
		for _, w := range waits {
			w.progress = w.now()
		}
		look := d.newLooks()
		defer look.stop()
		for left > 0 {
			if !look.next(ctx) {
				return nil
			}
			for i, c := range d.shows {
				if ended[i] {
					continue
				}
				done, err := waits[i].check(c.up.Snapshot(), c.watcher.Status(), c.queue.Counts())
				if !done && err == nil {
					continue
				}
				ended[i], errs[i] = true, err
				left--
				switch {
				case errors.Is(err, ErrJobsFailed):
					c.log.Warn("show finished with failed uploads", "failed", c.queue.Counts().Failed)
				case errors.Is(err, ErrActionsFailed):
					c.log.Warn("show finished; some uploaded files were not moved or deleted", "err", err)
				case err != nil:
					c.log.Error("show stopped; the other shows go on", "err", err)
				default:
					c.log.Info("show finished: everything is uploaded")
				}
			}
		}
		return d.showsError(errs)
	}
	err := d.run(ctx, wait)
	if err == nil && ctx.Err() != nil {
		for i, w := range waits {
			if !ended[i] {
				errs[i] = w.interrupted()
			}
		}
		err = d.showsError(errs)
	}
	return d.syncEnd(err)
}

// showsError joins the shows' errors, each naming its show; nil when
// every show finished. ErrJobsFailed and ErrInterrupted stay visible to
// errors.Is.
func (d *Daemon) showsError(errs []error) error {
	var out []error
	for i, err := range errs {
		if err == nil {
			continue
		}
		if errors.Is(err, ErrJobsFailed) {
			err = fmt.Errorf("%d upload(s) failed: %w", d.shows[i].queue.Counts().Failed, err)
		}
		out = append(out, fmt.Errorf("show %q: %w", d.shows[i].name, err))
	}
	return errors.Join(out...)
}
