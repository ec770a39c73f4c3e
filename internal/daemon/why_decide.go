package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// whyFacts is everything gathered about one file (why_facts.go) before
// deciding what it is (decide): the disk, the rules, the running
// watcher, the queue and the uploader. decide does no I/O, so every
// state is a table test.
type whyFacts struct {
	arg, abs, rel, disk, watch string
	running                    bool
	now                        time.Time
	settle                     time.Duration
	serviceUser                string // who must be able to read the files (for the fix)

	statErr  error  // from lstat (or, stopped, from opening it); nil when found
	deniedAt string // the first folder on the way this process may not read; "" for the file itself
	mode     fs.FileMode
	size     int64
	mtime    time.Time

	afterDir string         // the after_upload_dir folder holding it, relative or absolute; "" if none
	ignore   watcher.Ignore // the rules' verdict on its name

	ex    watcher.Explanation // the running watcher's; zero when stopped
	exErr error               // the watcher did not answer in time

	rec      queue.Record
	hasRec   bool
	noQueue  bool   // no queue file: the daemon never ran with this state.dir
	queueErr string // the queue could not be read (stopped): why

	holders  watcher.Holders // asked only when it matters
	progress *uploader.Progress
	rate     float64
}

// answer starts the Answer of f in state s.
func (f *whyFacts) answer(s why.State, reason string) why.Answer {
	return why.Answer{Path: f.arg, Abs: f.abs, Watch: f.watch, Rel: f.rel, State: s, Reason: reason}
}

// stopped notes what cannot be known with the daemon stopped.
func (f *whyFacts) stopped(a *why.Answer, what string) {
	if !f.running {
		a.Unknown = append(a.Unknown, "the daemon is not running: "+what+" is not known")
	}
}

// decide is what f says the file is, and why.
func decide(f *whyFacts) why.Answer {
	if f.afterDir != "" {
		a := f.answer(why.Ignored, fmt.Sprintf("it is inside watch.after_upload_dir (%s), where uploaded files are moved; nothing there is uploaded", f.afterDir))
		a.Rule = &why.Rule{Kind: why.RuleAfterUploadDir, Folder: f.afterDir}
		return a
	}
	if f.statErr != nil {
		return f.notThere()
	}
	switch {
	case f.mode&fs.ModeSymlink != 0:
		a := f.answer(why.Ignored, "it is a symbolic link: links are never followed, inside the root or out of it")
		a.Rule = &why.Rule{Kind: why.RuleSymlink}
		a.Fix = "copy or move the file itself into the watched folder"
		return a
	case !f.mode.IsRegular():
		a := f.answer(why.Ignored, "it is not a regular file (a device, socket or pipe): only files are uploaded")
		a.Rule = &why.Rule{Kind: why.RuleNotRegular}
		return a
	case f.ignore.Kind != "":
		return f.ignored()
	}
	if f.hasRec && f.sameVersion() {
		if a, ok := f.fromRecord(); ok {
			return a
		}
	}
	if f.running {
		return f.fromWatcher()
	}
	return f.whileStopped()
}

// sameVersion reports whether the queue's record is of the file on disk.
func (f *whyFacts) sameVersion() bool {
	return f.rec.Size == f.size && f.rec.ModTime.Equal(f.mtime)
}

// notThere explains a path lstat could not find or read.
func (f *whyFacts) notThere() why.Answer {
	if isDenied(f.statErr) {
		return f.unreadable(f.statErr)
	}
	if !errors.Is(f.statErr, fs.ErrNotExist) {
		a := f.answer(why.Unreadable, fmt.Sprintf("cannot look at it: %v", f.statErr))
		a.Fix = "check the disk or share it is on"
		if h := watcher.Hint(f.abs, false, f.statErr); h != "" {
			a.Fix = h // a Windows path too long, say
		}
		return a
	}
	if f.hasRec {
		switch f.rec.State {
		case queue.Done:
			a := f.done()
			a.Reason += "; the file is no longer at this path"
			return a
		case queue.Failed:
			return f.failed()
		case queue.Gone:
			return f.answer(why.Gone, fmt.Sprintf("the file vanished before it could be sent (noticed %s); nothing more is done unless it comes back", stamp(f.rec.At)))
		}
		return f.answer(why.Gone, "the file is no longer there; its queued upload will be dropped when a worker reaches it")
	}
	a := f.answer(why.Missing, "there is no file at "+f.abs+", and the daemon has no record of one")
	if f.ignore.Kind != "" {
		a.Reason += "; a file of that name would be ignored (" + ruleText(f.ignore) + ")"
	}
	a.Fix = "check the spelling; 'odailies-uploader report' lists what was uploaded"
	return a
}

// ignored explains a file the rules leave out.
func (f *whyFacts) ignored() why.Answer {
	ig := f.ignore
	a := f.answer(why.Ignored, ruleText(ig))
	a.Rule = &why.Rule{Kind: ig.Kind, Glob: ig.Glob, Folder: ig.Folder}
	switch ig.Kind {
	case watcher.IgnoreExclude, watcher.IgnoreExcludedFolder:
		a.Fix = fmt.Sprintf("remove %q from watch.exclude (or rename the file) to have it uploaded", ig.Glob)
	case watcher.IgnoreInclude:
		a.Fix = "add a glob that matches it to watch.include"
	case watcher.IgnoreOutsideDirs:
		a.Fix = "move it into a watched folder, or add its folder to watch.dirs"
	case watcher.IgnoreJunk:
		a.Fix = fmt.Sprintf("rename it so that it does not match %q to have it uploaded", ig.Glob)
	case watcher.IgnoreHiddenFolder:
		a.Fix = "move it out of " + ig.Folder + ", or rename the folder without its leading \".\""
	}
	return a
}

// ruleText says which rule leaves a path out.
func ruleText(ig watcher.Ignore) string {
	switch ig.Kind {
	case watcher.IgnoreJunk:
		return fmt.Sprintf("ignored by the built-in junk rule %q (dotfiles, ~ lock files, Thumbs.db, desktop.ini, temporary and partial names)", ig.Glob)
	case watcher.IgnoreExclude:
		return fmt.Sprintf("ignored by the watch.exclude glob %q", ig.Glob)
	case watcher.IgnoreInclude:
		return "ignored: watch.include is set and none of its globs matches it"
	case watcher.IgnoreHiddenFolder:
		return fmt.Sprintf("ignored: it is inside the hidden folder %s (folders starting with \".\" are not entered)", ig.Folder)
	case watcher.IgnoreExcludedFolder:
		return fmt.Sprintf("ignored: its folder %s matches the watch.exclude glob %q", ig.Folder, ig.Glob)
	case watcher.IgnoreOutsideDirs:
		return "ignored: it is under the root but in none of the watched folders (watch.dirs)"
	}
	return "ignored (" + ig.Kind + ")"
}

// fromRecord explains a file whose version the queue holds; ok is false
// for a Gone record of a file that is back (the watcher decides then).
func (f *whyFacts) fromRecord() (why.Answer, bool) {
	r := f.rec
	switch r.State {
	case queue.Queued:
		return f.queued(), true
	case queue.Active:
		return f.active(), true
	case queue.Done:
		return f.done(), true
	case queue.Failed:
		return f.failed(), true
	}
	return why.Answer{}, false
}

func (f *whyFacts) queued() why.Answer {
	r := f.rec
	q := &why.Queue{Class: r.Class, Position: r.Position, Of: r.Of, NotBefore: r.NotBefore,
		Attempts: r.Attempts, LastError: r.LastError, Size: r.Size}
	var a why.Answer
	if r.Position == 0 && !r.NotBefore.IsZero() {
		a = f.answer(why.Queued, fmt.Sprintf("queued in %s, waiting to be tried again at %s after %d attempt(s) (last: %s)",
			r.Class, stamp(r.NotBefore), r.Attempts, r.LastError))
	} else {
		a = f.answer(why.Queued, fmt.Sprintf("queued: number %d of %d waiting in %s", r.Position, r.Of, r.Class))
		if r.Attempts > 0 {
			a.Reason += fmt.Sprintf(" (%d attempt(s) so far; last: %s)", r.Attempts, r.LastError)
		}
	}
	a.Queue = q
	if !f.running {
		a.Reason += "; it is sent when the daemon runs"
	}
	return a
}

func (f *whyFacts) active() why.Answer {
	u := &why.Upload{Size: f.rec.Size, Rate: f.rate, Attempts: f.rec.Attempts}
	if f.progress != nil {
		u.BytesSent = f.progress.BytesSent
	}
	a := f.answer(why.Active, fmt.Sprintf("uploading now: %s of %s sent", units.Bytes(u.BytesSent), units.Bytes(u.Size)))
	if f.rate > 0 {
		a.Reason += fmt.Sprintf(", %s over every upload", units.Rate(f.rate))
	}
	a.Upload = u
	return a
}

func (f *whyFacts) done() why.Answer {
	r := f.rec
	d := &why.Delivery{At: r.Delivery.UploadedAt, Size: r.Size, MD5: r.Delivery.MD5, Verified: string(r.Delivery.Verified),
		Action: r.Delivery.Then.String(), Missing: r.Missing, ActionAt: r.ActAt, ActionDest: r.ActDest}
	if r.ActState != 0 {
		d.ActionState = r.ActState.String()
	}
	if r.ActState == queue.ActFailed || r.ActState == queue.ActSkipped {
		d.ActionReason = r.LastError
	}
	a := f.answer(why.Done, fmt.Sprintf("uploaded %s, %s, %s", stamp(d.At), units.Bytes(d.Size), verifiedText(r.Delivery)))
	if s := actionText(d); s != "" {
		a.Reason += "; " + s
	}
	if !d.Missing.IsZero() {
		a.Reason += "; full scans have not found it since " + stamp(d.Missing) + " (its drive may be away)"
	}
	if r.ActState == queue.ActFailed {
		a.Fix = "the after-upload action is tried again by itself; fix what its reason names"
	}
	a.Delivery = d
	return a
}

// verifiedText says how a delivery was verified.
func verifiedText(d queue.Delivery) string {
	switch d.Verified {
	case queue.VerifiedETag:
		return "MD5 " + d.MD5 + " checked by the storage (Content-MD5) and equal to its ETag"
	case queue.VerifiedContentMD5:
		return "MD5 " + d.MD5 + " checked by the storage (Content-MD5)"
	case queue.VerifiedNone:
		return "not verified (upload.verify = \"none\")"
	}
	return "before uploads were verified (no MD5 recorded)"
}

// actionText says where a done file's after-upload action is; "" for keep.
func actionText(d *why.Delivery) string {
	switch {
	case d.Action == "keep" || d.ActionState == "":
		return ""
	case d.ActionState == "done" && d.Action == "move":
		return "moved to " + d.ActionDest + " " + stamp(d.ActionAt)
	case d.ActionState == "done":
		return "deleted " + stamp(d.ActionAt) + " (watch.after_upload = \"delete\")"
	case d.ActionState == "pending":
		return "watch.after_upload " + d.Action + " pending"
	case d.ActionState == "skipped":
		return "watch.after_upload " + d.Action + " skipped: " + d.ActionReason
	}
	return "watch.after_upload " + d.Action + " failed: " + d.ActionReason
}

func (f *whyFacts) failed() why.Answer {
	r := f.rec
	retry := "odailies-uploader retry " + shellWord(f.rel)
	if f.watch != "" {
		retry = "odailies-uploader retry -watch " + shellWord(f.watch) + " " + shellWord(f.rel)
	}
	a := f.answer(why.Failed, fmt.Sprintf("the upload failed for good %s after %d attempt(s): %s", stamp(r.At), r.Attempts, r.LastError))
	a.Fix = "fix what the reason names, then run: " + retry
	a.Failure = &why.Failure{Reason: r.LastError, Attempts: r.Attempts, At: r.At, Retry: retry}
	return a
}

// fromWatcher explains a file the queue does not hold (in this version),
// from what the running watcher knows.
func (f *whyFacts) fromWatcher() why.Answer {
	ex := f.ex
	var a why.Answer
	switch {
	case f.exErr != nil:
		a = f.answer(why.NotSeen, "not in the queue; the watcher did not answer in time (busy with a full scan of a large tree?)")
		a.Unknown = append(a.Unknown, "whether it is settling or held open is not known: ask again in a moment")
	case ex.Problem != "":
		a = f.answer(why.Unreadable, "held back until fixed: "+ex.Problem)
		a.Fix = fixOf(ex.Problem)
	case ex.Pending && (!ex.OpenSince.IsZero() || ex.Writing):
		a = f.heldOpen()
	case ex.Pending:
		a = f.settling(ex.Due)
	case ex.Tracked && ex.Emitted && ex.Size == f.size && ex.ModTime.Equal(f.mtime):
		a = f.answer(why.Queued, "settled and handed to the queue a moment ago")
	default:
		a = f.answer(why.NotSeen, "the watcher has not met this version yet")
		if !ex.NextScan.IsZero() {
			a.NextScan = ex.NextScan
			a.Reason += "; the next full scan is at " + stamp(ex.NextScan)
		}
		if strings.HasPrefix(ex.Mode, "events") {
			a.Reason += " (events usually bring a new file within a second)"
		}
	}
	f.earlier(&a)
	return a
}

// fixOf is the fix part of a watcher problem's text ("…; let it: CMD").
func fixOf(problem string) string {
	if _, fix, ok := strings.Cut(problem, "let it: "); ok {
		return fix
	}
	return "fix what the reason names; it is looked at again at the next scan"
}

// earlier adds what the queue says of another version of the path.
func (f *whyFacts) earlier(a *why.Answer) {
	if !f.hasRec || f.sameVersion() {
		return
	}
	a.Reason += fmt.Sprintf("; the queue holds an earlier version (%s, modified %s) as %s",
		units.Bytes(f.rec.Size), stamp(f.rec.ModTime), stateWord(f.rec.State))
}

func (f *whyFacts) settling(due time.Time) why.Answer {
	a := f.answer(why.Settling, fmt.Sprintf("settling: unchanged since %s; uploaded once unchanged for %s, at %s",
		stamp(f.mtime), f.settle, stamp(due)))
	a.Settle = &why.Settle{Since: f.mtime, Due: due, Settle: f.settle, Size: f.size, WriterCheck: f.ex.WriterCheck}
	return a
}

func (f *whyFacts) heldOpen() why.Answer {
	a := f.answer(why.HeldOpen, "held open: "+holdersText(f.holders))
	s := &why.Settle{Since: f.mtime, Due: f.ex.Due, Settle: f.settle, Size: f.size, OpenSince: f.ex.OpenSince, WriterCheck: f.ex.WriterCheck}
	if f.running && !f.ex.OpenSince.IsZero() {
		a.Reason += "; the watcher first saw it held " + stamp(f.ex.OpenSince) + " and waits for the writer to close it"
	}
	a.Settle = s
	for _, w := range f.holders.Writers {
		a.Holders = append(a.Holders, why.Holder{PID: w.PID, Command: w.Command})
	}
	return a
}

// unseenWriter is said of a writer this process may not inspect.
const unseenWriter = " (which one, this user may not see: run with sudo to name it)"

// holdersText says who holds a file open for writing.
func holdersText(h watcher.Holders) string {
	if len(h.Writers) == 0 {
		s := "a process has it open for writing"
		if !h.SeesAll && runtime.GOOS == "linux" {
			s += unseenWriter
		}
		return s
	}
	var ps []string
	for _, w := range h.Writers {
		ps = append(ps, fmt.Sprintf("pid %d (%s)", w.PID, w.Command))
	}
	return "open for writing by " + strings.Join(ps, ", ")
}

// whileStopped explains a file the queue does not hold (in this version)
// with the daemon stopped: what the disk and the OS say now.
func (f *whyFacts) whileStopped() why.Answer {
	var a why.Answer
	switch {
	case f.holders.Held:
		a = f.heldOpen()
	case f.mtime.Add(f.settle).After(f.now):
		a = f.settling(f.mtime.Add(f.settle))
		a.Reason += " (once the daemon runs)"
	case f.noQueue:
		a = f.answer(why.NotSeen, "the daemon has never run with this state.dir: nothing is known of it; it is uploaded once the daemon runs")
	default:
		a = f.answer(why.NotSeen, "not in the queue: the daemon has not met this version; it is uploaded once the daemon runs and it settles")
	}
	if f.queueErr != "" {
		a.Unknown = append(a.Unknown, "the queue could not be read ("+f.queueErr+"): whether it was uploaded is not known")
	}
	if !f.holders.Held {
		switch {
		case !f.holders.Known:
			f.stopped(&a, "whether a process holds it open")
		case !f.holders.SeesAll && runtime.GOOS == "linux":
			a.Unknown = append(a.Unknown, "whether another user's process holds it open is not known: run with sudo to see every process")
		}
	}
	f.earlier(&a)
	return a
}

// unreadable explains a path the OS refuses to this process: this
// command (stopped), or the daemon itself (running, as its user).
func (f *whyFacts) unreadable(err error) why.Answer {
	who := "this command"
	if f.running {
		who = "the daemon (running as " + f.serviceUser + ")"
	}
	a := f.answer(why.Unreadable, fmt.Sprintf("the OS refuses %s access to it: %v", who, errors.Unwrap(err)))
	at, dir := f.deniedAt, true
	if at == "" {
		at, dir = f.abs, false
	}
	if dir {
		a.Reason += " (the folder " + at + " cannot be read)"
	}
	a.Fix = deniedFix(at, f.serviceUser, err, dir)
	// The watcher's words for macOS's privacy protection (Full Disk
	// Access, naming the binary). (Its setfacl line names this process's
	// user, which is not the service's when this command runs with sudo:
	// deniedFix names the right one.)
	if macPrivacy(err) {
		if h := watcher.Hint(at, dir, err); h != "" {
			a.Fix = h
		}
	}
	if !f.running {
		a.Fix += "; or run this command with sudo"
	}
	return a
}

// isDenied reports a permission error (EACCES, EPERM).
func isDenied(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EPERM)
}

// deniedFix is what to do about a path the OS refuses (a folder when dir):
// on macOS an "operation not permitted" is its privacy protection (Full
// Disk Access); otherwise user needs read access (the README's setfacl
// line, chmod +a on macOS, icacls on Windows).
func deniedFix(abs, user string, err error, dir bool) string {
	switch {
	case macPrivacy(err):
		return "macOS keeps programs out of this folder: give /usr/local/bin/odailies-uploader Full Disk Access " +
			"(System Settings → Privacy & Security → Full Disk Access), then restart the service"
	case runtime.GOOS == "windows" && dir:
		return fmt.Sprintf(`let %s read it: icacls "%s" /grant "%s:(OI)(CI)RX" /T`, user, abs, user)
	case runtime.GOOS == "windows":
		return fmt.Sprintf(`let %s read it: icacls "%s" /grant "%s:R"`, user, abs, user)
	case runtime.GOOS == "darwin" && dir:
		return fmt.Sprintf(`let %s read it: sudo chmod -R +a "user:%s allow list,search,read" %s`, user, user, shellWord(abs))
	case runtime.GOOS == "darwin":
		return fmt.Sprintf(`let %s read it: sudo chmod +a "user:%s allow read" %s`, user, user, shellWord(abs))
	case dir:
		return fmt.Sprintf("let %s read it: sudo setfacl -R -m u:%s:rX %s (and -R -d -m u:%s:rX for files made later)",
			user, user, shellWord(abs), user)
	}
	return fmt.Sprintf("let %s read it: sudo setfacl -m u:%s:r %s", user, user, shellWord(abs))
}

// macPrivacy reports macOS's "operation not permitted": its privacy
// protection, not the file's permissions.
func macPrivacy(err error) bool { return runtime.GOOS == "darwin" && errors.Is(err, syscall.EPERM) }

// stateWord names a queue state.
func stateWord(s queue.State) string {
	switch s {
	case queue.Queued:
		return "queued"
	case queue.Active:
		return "active"
	case queue.Done:
		return "done"
	case queue.Failed:
		return "failed"
	case queue.Gone:
		return "gone"
	}
	return "unknown"
}

// stamp is a time as why prints it: RFC 3339 in UTC, whole seconds.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "(unknown time)"
	}
	return t.UTC().Format(time.RFC3339)
}

// shellWord quotes s for a shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
