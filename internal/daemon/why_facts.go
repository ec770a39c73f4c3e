package daemon

import (
	"cmp"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// explainWait bounds how long one path waits for the watcher's loop (a
// full scan of a large tree holds it).
const explainWait = 3 * time.Second

// whySource is what `why` asks about one show's files: its config, its
// watcher (the rules; its loop too when running), its queue (nil when
// stopped and no queue file exists) and, running, its uploader.
type whySource struct {
	cfg      *config.Config
	show     config.Show
	name     string // the show's name with several shows, else ""
	w        *watcher.Watcher
	q        *queue.Queue
	up       *uploader.Uploader
	running  bool
	noQueue  bool
	queueErr string
	now      func() time.Time
	user     string        // who must read the files: the daemon's user (running), else the service's
	busy     error         // the watcher did not answer in time: not asked again in this request
	wait     time.Duration // how long to wait for the watcher's loop; 0: explainWait

	// writers holds, during a folder's walk with the daemon stopped, who
	// holds which file open (one look at the OS for the whole folder);
	// nil: ask file by file.
	writers    map[string][]watcher.Writer
	writersAll bool
}

// whySource is the running daemon's source for show i of its config.
func (d *Daemon) whySource(i int) (*whySource, error) {
	p := d
	if d.shows != nil {
		p = d.shows[i]
	}
	s := &whySource{cfg: d.cfg, show: d.cfg.Shows[i], w: p.watcher, q: p.queue, up: p.up, running: true, now: time.Now,
		user: currentUser()}
	if len(d.cfg.Shows) > 1 {
		s.name = s.show.Name
	}
	return s, nil
}

// stoppedSources opens, for each show asked about, its rules and its
// queue file (never creating it), once.
type stoppedSources struct {
	cfg  *config.Config
	open map[int]*whySource
}

func newStoppedSources(cfg *config.Config) *stoppedSources {
	return &stoppedSources{cfg: cfg, open: map[int]*whySource{}}
}

func (st *stoppedSources) source(i int) (*whySource, error) {
	if s := st.open[i]; s != nil {
		return s, nil
	}
	sh := st.cfg.Shows[i]
	w, err := watcher.New(sh.Watch.Root, watcher.Options{Dirs: sh.Watch.Dirs, Settle: sh.Watch.Settle,
		Include: sh.Watch.Include, Exclude: sh.Watch.Exclude})
	if err != nil {
		return nil, config.Errorf("watch: %w", err)
	}
	s := &whySource{cfg: st.cfg, show: sh, w: w, now: time.Now, user: showUser(st.cfg)}
	if len(st.cfg.Shows) > 1 {
		s.name = sh.Name
	}
	q, err := openForReport(st.cfg, sh)
	switch {
	case errors.Is(err, errNothingUploaded):
		s.noQueue = true
	case errors.Is(err, queue.ErrLocked):
		return nil, err
	case err != nil:
		s.queueErr = err.Error()
	default:
		s.q = q
	}
	st.open[i] = s
	return s, nil
}

func (st *stoppedSources) close() {
	for _, s := range st.open {
		if s.q != nil {
			s.q.Close()
		}
	}
}

// explain answers one path (abs, under the show's root).
func (s *whySource) explain(ctx context.Context, arg, abs string) why.Answer {
	fi, err := os.Lstat(abs)
	if err == nil && fi.IsDir() {
		return s.folder(ctx, arg, abs)
	}
	f := s.facts(ctx, arg, abs, fi, err)
	return decide(f)
}

// facts gathers what is known of the file at abs (fi and err from its
// lstat).
func (s *whySource) facts(ctx context.Context, arg, abs string, fi fs.FileInfo, err error) *whyFacts {
	disk, _ := filepath.Rel(s.show.Watch.Root, abs)
	disk = filepath.ToSlash(disk)
	rel := norm.NFC.String(disk)
	f := &whyFacts{arg: arg, abs: abs, rel: rel, disk: disk, watch: s.name, running: s.running, now: s.now(),
		settle: s.show.Watch.Settle, serviceUser: s.user, statErr: err,
		noQueue: s.noQueue, queueErr: s.queueErr}
	if err == nil && fi != nil {
		f.mode, f.size, f.mtime = fi.Mode(), fi.Size(), fi.ModTime()
	}
	if isDenied(err) {
		f.deniedAt = firstDenied(s.show.Watch.Root, abs)
	}
	f.afterDir = s.afterUploadDir(abs)
	f.ignore = s.w.Ignored(rel, false)
	if s.q != nil {
		f.rec, f.hasRec, _ = s.q.Lookup(rel)
	}
	if err != nil || !f.mode.IsRegular() || f.ignore.Kind != "" || f.afterDir != "" {
		return f
	}
	if f.hasRec && f.sameVersion() && f.rec.State != queue.Gone {
		if f.rec.State == queue.Active && s.up != nil {
			s.progressOf(f)
		}
		return f
	}
	if s.running && s.busy != nil {
		f.exErr = s.busy
		return f
	}
	if s.running {
		cctx, cancel := context.WithTimeout(ctx, cmp.Or(s.wait, explainWait))
		f.ex, f.exErr = s.w.Explain(cctx, rel)
		cancel()
		if f.exErr != nil && ctx.Err() == nil {
			s.busy = f.exErr // a full scan holds the loop: the folder's other files would wait as long
		}
		if f.ex.Settle > 0 {
			f.settle = f.ex.Settle
		}
		if f.ex.Pending && (!f.ex.OpenSince.IsZero() || f.ex.Writing) {
			f.holders = s.w.Writers(disk)
		}
		return f
	}
	if s.writers != nil {
		ws := s.writers[disk]
		f.holders = watcher.Holders{Known: true, Held: len(ws) > 0, Writers: ws, SeesAll: s.writersAll}
	} else {
		f.holders = s.w.Writers(disk)
	}
	if err := watcher.CanRead(abs); isDenied(err) {
		f.statErr = err // the watcher, were it running as this user, would hold it back
	}
	return f
}

// firstDenied is the first folder from root down to abs's that this
// process may not read; "" when every one can be.
func firstDenied(root, abs string) string {
	rel, err := filepath.Rel(root, filepath.Dir(abs))
	if err != nil || !within(root, abs) {
		return ""
	}
	p := root
	for _, part := range append([]string{""}, strings.Split(rel, string(filepath.Separator))...) {
		if part != "" && part != "." {
			p = filepath.Join(p, part)
		}
		if _, err := os.ReadDir(p); isDenied(err) {
			return p
		}
	}
	return ""
}

// progressOf fills an active upload's bytes and the pool's rate.
func (s *whySource) progressOf(f *whyFacts) {
	snap := s.up.Snapshot()
	f.rate = snap.Rate
	for _, p := range snap.Active {
		if p.Path == f.rel {
			f.progress = &p
			return
		}
	}
}

// afterUploadDir names watch.after_upload_dir when abs is in it (it may
// be inside the root, beside the watched folders), else "".
func (s *whySource) afterUploadDir(abs string) string {
	d := s.show.Watch.AfterUploadDir
	if d == "" || s.show.Watch.AfterUpload != config.AfterUploadMove || !within(d, abs) {
		return ""
	}
	if rel, err := filepath.Rel(s.show.Watch.Root, d); err == nil && within(s.show.Watch.Root, d) {
		return filepath.ToSlash(rel)
	}
	return d
}

// fileAnswer is explain for one file of a folder walk.
func (s *whySource) fileAnswer(ctx context.Context, abs string, fi fs.FileInfo, err error) why.Answer {
	arg := abs
	if rel, err := filepath.Rel(s.show.Watch.Root, abs); err == nil {
		arg = filepath.ToSlash(rel)
	}
	return decide(s.facts(ctx, arg, abs, fi, err))
}
