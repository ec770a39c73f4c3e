package daemon

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/why"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

var whyNow = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// baseFacts is a regular 1 MiB file, modified an hour ago, that nothing
// else is known of, with the daemon running or not.
func baseFacts(running bool) whyFacts {
	return whyFacts{arg: "_graded/A001.mov", abs: "/shows/x/_graded/A001.mov", rel: "_graded/A001.mov",
		disk: "_graded/A001.mov", running: running, now: whyNow, settle: 5 * time.Second,
		serviceUser: "odailies-uploader", mode: 0o644, size: 1 << 20, mtime: whyNow.Add(-time.Hour)}
}

// rec is a queue record of baseFacts' version in state s.
func rec(s queue.State) queue.Record {
	return queue.Record{Item: queue.Item{Path: "_graded/A001.mov", Size: 1 << 20, ModTime: whyNow.Add(-time.Hour)}, State: s}
}

// TestDecide: every state an answer can have, from the facts that lead
// to it, with the daemon running and stopped; each checked for its
// state, its rule and the words a person needs (the glob, the times, the
// process, the fix, what is not known).
func TestDecide(t *testing.T) {
	cases := []struct {
		name    string
		running bool
		edit    func(f *whyFacts)
		state   why.State
		rule    string
		words   []string // in Reason, Fix or Unknown
		check   func(t *testing.T, a why.Answer)
	}{
		{"junk", true, func(f *whyFacts) { f.ignore = watcher.Ignore{Kind: watcher.IgnoreJunk, Glob: ".*"} },
			why.Ignored, why.RuleJunk, []string{`built-in junk rule ".*"`}, nil},
		{"exclude glob", false, func(f *whyFacts) { f.ignore = watcher.Ignore{Kind: watcher.IgnoreExclude, Glob: "*.xml"} },
			why.Ignored, why.RuleExclude, []string{`watch.exclude glob "*.xml"`, `remove "*.xml" from watch.exclude`}, func(t *testing.T, a why.Answer) {
				if a.Rule.Glob != "*.xml" {
					t.Errorf("rule glob %q", a.Rule.Glob)
				}
			}},
		{"not included", true, func(f *whyFacts) { f.ignore = watcher.Ignore{Kind: watcher.IgnoreInclude} },
			why.Ignored, why.RuleInclude, []string{"watch.include is set", "add a glob"}, nil},
		{"hidden folder", true, func(f *whyFacts) {
			f.ignore = watcher.Ignore{Kind: watcher.IgnoreHiddenFolder, Folder: "_graded/.cache"}
		}, why.Ignored, why.RuleHiddenFolder, []string{"hidden folder _graded/.cache"}, nil},
		{"excluded folder", true, func(f *whyFacts) {
			f.ignore = watcher.Ignore{Kind: watcher.IgnoreExcludedFolder, Glob: "old*", Folder: "_graded/old"}
		}, why.Ignored, why.RuleExcludedFolder, []string{`_graded/old matches the watch.exclude glob "old*"`}, nil},
		{"outside the dirs", true, func(f *whyFacts) { f.ignore = watcher.Ignore{Kind: watcher.IgnoreOutsideDirs} },
			why.Ignored, why.RuleOutsideDirs, []string{"none of the watched folders", "watch.dirs"}, nil},
		{"symlink", true, func(f *whyFacts) { f.mode = fs.ModeSymlink | 0o777 },
			why.Ignored, why.RuleSymlink, []string{"symbolic link"}, nil},
		{"fifo", false, func(f *whyFacts) { f.mode = fs.ModeNamedPipe | 0o644 },
			why.Ignored, why.RuleNotRegular, []string{"not a regular file"}, nil},
		{"after-upload dir", true, func(f *whyFacts) { f.afterDir = "_uploaded" },
			why.Ignored, why.RuleAfterUploadDir, []string{"watch.after_upload_dir (_uploaded)"}, nil},

		{"not seen, events", true, func(f *whyFacts) {
			f.ex = watcher.Explanation{Running: true, Mode: "events", NextScan: whyNow.Add(10 * time.Minute)}
		}, why.NotSeen, "", []string{"next full scan is at 2026-12-01T02:10:00Z", "events usually"}, func(t *testing.T, a why.Answer) {
			if !a.NextScan.Equal(whyNow.Add(10 * time.Minute)) {
				t.Errorf("next_scan %v", a.NextScan)
			}
		}},
		{"not seen, watcher busy", true, func(f *whyFacts) { f.exErr = fmt.Errorf("ask the watcher: %w", os.ErrDeadlineExceeded) },
			why.NotSeen, "", []string{"did not answer in time", "not known"}, nil},
		{"not seen, stopped", false, func(f *whyFacts) { f.holders = watcher.Holders{Known: true, SeesAll: true} },
			why.NotSeen, "", []string{"once the daemon runs"}, func(t *testing.T, a why.Answer) {
				if len(a.Unknown) != 0 {
					t.Errorf("unknown %q, want none: every process was looked at", a.Unknown)
				}
			}},
		{"not seen, stopped, holders unknowable", false, nil,
			why.NotSeen, "", []string{"the daemon is not running: whether a process holds it open is not known"}, nil},
		{"not seen, never ran", false, func(f *whyFacts) { f.noQueue = true; f.holders.Known = true; f.holders.SeesAll = true },
			why.NotSeen, "", []string{"never run with this state.dir"}, nil},

		{"settling", true, func(f *whyFacts) {
			f.mtime = whyNow.Add(-2 * time.Second)
			f.ex = watcher.Explanation{Running: true, Tracked: true, Pending: true, Due: whyNow.Add(3 * time.Second), WriterCheck: "inotify + /proc"}
		}, why.Settling, "", []string{"unchanged since 2026-12-01T01:59:58Z", "at 2026-12-01T02:00:03Z"}, func(t *testing.T, a why.Answer) {
			if a.Settle == nil || !a.Settle.Due.Equal(whyNow.Add(3*time.Second)) || a.Settle.WriterCheck != "inotify + /proc" {
				t.Errorf("settle %+v", a.Settle)
			}
		}},
		{"settling, stopped", false, func(f *whyFacts) { f.mtime = whyNow.Add(-2 * time.Second); f.holders.Known = true },
			why.Settling, "", []string{"at 2026-12-01T02:00:03Z", "once the daemon runs"}, nil},

		{"held open", true, func(f *whyFacts) {
			f.ex = watcher.Explanation{Running: true, Tracked: true, Pending: true, OpenSince: whyNow.Add(-time.Minute), Due: whyNow.Add(time.Second)}
			f.holders = watcher.Holders{Known: true, Held: true, SeesAll: true, Writers: []watcher.Writer{{PID: 4242, Command: "resolve --render"}}}
		}, why.HeldOpen, "", []string{"pid 4242 (resolve --render)", "first saw it held 2026-12-01T01:59:00Z"}, func(t *testing.T, a why.Answer) {
			if len(a.Holders) != 1 || a.Holders[0].PID != 4242 || a.Settle == nil || a.Settle.OpenSince.IsZero() {
				t.Errorf("holders %+v settle %+v", a.Holders, a.Settle)
			}
		}},
		{"held open, writer unseen", true, func(f *whyFacts) {
			f.ex = watcher.Explanation{Running: true, Tracked: true, Pending: true, Writing: true}
			f.holders = watcher.Holders{Known: true}
		}, why.HeldOpen, "", []string{"a process has it open for writing"}, nil},
		{"held open, stopped", false, func(f *whyFacts) {
			f.holders = watcher.Holders{Known: true, Held: true, Writers: []watcher.Writer{{PID: 7, Command: "cp"}}}
		}, why.HeldOpen, "", []string{"pid 7 (cp)"}, nil},

		{"queued", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Queued)
			f.rec.Class, f.rec.Position, f.rec.Of = "_graded", 3, 12
		}, why.Queued, "", []string{"number 3 of 12 waiting in _graded"}, func(t *testing.T, a why.Answer) {
			if a.Queue == nil || a.Queue.Position != 3 || a.Queue.Of != 12 || a.Queue.Class != "_graded" {
				t.Errorf("queue %+v", a.Queue)
			}
		}},
		{"queued for a retry, stopped", false, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Queued)
			f.rec.Class, f.rec.NotBefore, f.rec.Attempts, f.rec.LastError = "_graded", whyNow.Add(time.Minute), 2, "503 Slow Down"
		}, why.Queued, "", []string{"tried again at 2026-12-01T02:01:00Z after 2 attempt(s) (last: 503 Slow Down)", "sent when the daemon runs"}, nil},
		{"handed over just now", true, func(f *whyFacts) {
			f.ex = watcher.Explanation{Running: true, Tracked: true, Emitted: true, Size: f.size, ModTime: f.mtime}
		}, why.Queued, "", []string{"handed to the queue"}, nil},

		{"active", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Active)
			f.progress, f.rate = &uploader.Progress{Path: f.rel, BytesSent: 512 << 10, Size: 1 << 20}, 2<<20
		}, why.Active, "", []string{"512.0 KiB of 1.0 MiB sent", "2.0 MiB/s"}, func(t *testing.T, a why.Answer) {
			if a.Upload == nil || a.Upload.BytesSent != 512<<10 || a.Upload.Rate != 2<<20 {
				t.Errorf("upload %+v", a.Upload)
			}
		}},

		{"done, moved", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Done)
			f.rec.Delivery = queue.Delivery{MD5: "0123456789abcdef0123456789abcdef", ETag: "0123456789abcdef0123456789abcdef",
				Verified: queue.VerifiedETag, UploadedAt: whyNow.Add(-30 * time.Minute), Then: queue.ActionMove}
			f.rec.ActState, f.rec.ActDest, f.rec.ActAt = queue.ActDone, "/shows/x/_uploaded/_graded/A001.mov", whyNow.Add(-29*time.Minute)
			f.statErr = fs.ErrNotExist
		}, why.Done, "", []string{"uploaded 2026-12-01T01:30:00Z", "MD5 0123456789abcdef0123456789abcdef", "equal to its ETag",
			"moved to /shows/x/_uploaded/_graded/A001.mov", "no longer at this path"}, func(t *testing.T, a why.Answer) {
			d := a.Delivery
			if d == nil || d.Action != "move" || d.ActionState != "done" || d.Verified != "md5+etag" || d.MD5 == "" {
				t.Errorf("delivery %+v", d)
			}
		}},
		{"done, delete pending, stopped", false, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Done)
			f.rec.Delivery = queue.Delivery{MD5: "0123456789abcdef0123456789abcdef", Verified: queue.VerifiedContentMD5, Then: queue.ActionDelete}
			f.rec.ActState = queue.ActPending
		}, why.Done, "", []string{"checked by the storage (Content-MD5)", "watch.after_upload delete pending"}, nil},
		{"done, action failed", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Done)
			f.rec.Delivery = queue.Delivery{Verified: queue.VerifiedNone, Then: queue.ActionMove}
			f.rec.ActState, f.rec.LastError = queue.ActFailed, "the after-upload folder is on a full disk"
		}, why.Done, "", []string{"not verified", "move failed: the after-upload folder is on a full disk", "tried again by itself"}, nil},
		{"done, missing", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Done)
			f.rec.Missing = whyNow.Add(-time.Hour)
		}, why.Done, "", []string{"have not found it since 2026-12-01T01:00:00Z"}, nil},
		{"done earlier version, this one settling", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Done)
			f.rec.Size = 100
			f.ex = watcher.Explanation{Running: true, Tracked: true, Pending: true, Due: whyNow}
		}, why.Settling, "", []string{"earlier version (100 B", "as done"}, nil},

		{"failed", true, func(f *whyFacts) {
			f.hasRec, f.rec = true, rec(queue.Failed)
			f.rec.Attempts, f.rec.LastError, f.rec.At = 5, "403 Forbidden: the storage refused the file", whyNow.Add(-time.Minute)
		}, why.Failed, "", []string{"after 5 attempt(s): 403 Forbidden", "odailies-uploader retry _graded/A001.mov"}, func(t *testing.T, a why.Answer) {
			if a.Failure == nil || a.Failure.Attempts != 5 || a.Failure.Retry != "odailies-uploader retry _graded/A001.mov" {
				t.Errorf("failure %+v", a.Failure)
			}
		}},
		{"failed, several shows, stopped", false, func(f *whyFacts) {
			f.watch = "Show B"
			f.hasRec, f.rec = true, rec(queue.Failed)
			f.rec.LastError = "refused"
		}, why.Failed, "", []string{"odailies-uploader retry -watch 'Show B' _graded/A001.mov"}, nil},

		{"gone", true, func(f *whyFacts) {
			f.statErr = fs.ErrNotExist
			f.hasRec, f.rec = true, rec(queue.Gone)
		}, why.Gone, "", []string{"vanished before it could be sent"}, nil},
		{"missing", false, func(f *whyFacts) { f.statErr = fs.ErrNotExist },
			why.Missing, "", []string{"no file at /shows/x/_graded/A001.mov", "check the spelling"}, nil},
		{"missing, and would be ignored", true, func(f *whyFacts) {
			f.statErr = fs.ErrNotExist
			f.ignore = watcher.Ignore{Kind: watcher.IgnoreJunk, Glob: "*.tmp"}
		}, why.Missing, "", []string{"would be ignored", `"*.tmp"`}, nil},

		{"unreadable, EACCES", false, func(f *whyFacts) {
			f.statErr = &fs.PathError{Op: "lstat", Path: f.abs, Err: syscall.EACCES}
		}, why.Unreadable, "", []string{"this command access to it: permission denied", "sudo setfacl -m u:odailies-uploader:r /shows/x/_graded/A001.mov", "or run this command with sudo"}, nil},
		{"unreadable folder on the way, running", true, func(f *whyFacts) {
			f.statErr = &fs.PathError{Op: "lstat", Path: f.abs, Err: syscall.EACCES}
			f.deniedAt = "/shows/x/_graded"
		}, why.Unreadable, "", []string{"the daemon (running as odailies-uploader)", "the folder /shows/x/_graded cannot be read",
			"sudo setfacl -R -m u:odailies-uploader:rX /shows/x/_graded"}, func(t *testing.T, a why.Answer) {
			if strings.Contains(a.Fix, "this command") {
				t.Errorf("fix %q: the daemon was refused, not the command", a.Fix)
			}
		}},
		{"unreadable, the watcher's problem", true, func(f *whyFacts) {
			f.ex = watcher.Explanation{Running: true, Tracked: true,
				Problem: "permission denied: the service's user (odailies-uploader) cannot read this file; let it: sudo setfacl -m u:odailies-uploader:r /x, or add it"}
		}, why.Unreadable, "", []string{"held back until fixed", "sudo setfacl -m u:odailies-uploader:r /x"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := baseFacts(c.running)
			if c.edit != nil {
				c.edit(&f)
			}
			a := decide(&f)
			if a.State != c.state {
				t.Fatalf("state %s, want %s: %+v", a.State, c.state, a)
			}
			if a.Path != f.arg || a.Rel != f.rel || a.Reason == "" {
				t.Errorf("path %q rel %q reason %q", a.Path, a.Rel, a.Reason)
			}
			if c.rule != "" && (a.Rule == nil || a.Rule.Kind != c.rule) {
				t.Errorf("rule %+v, want kind %s", a.Rule, c.rule)
			}
			text := a.Reason + "\n" + a.Fix + "\n" + strings.Join(a.Unknown, "\n")
			for _, w := range c.words {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in:\n%s", w, text)
				}
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}
}

// TestIgnoreKindsMatch: the watcher's rule kinds are the JSON's.
func TestIgnoreKindsMatch(t *testing.T) {
	for w, j := range map[string]string{
		watcher.IgnoreJunk: why.RuleJunk, watcher.IgnoreExclude: why.RuleExclude, watcher.IgnoreInclude: why.RuleInclude,
		watcher.IgnoreHiddenFolder: why.RuleHiddenFolder, watcher.IgnoreExcludedFolder: why.RuleExcludedFolder,
		watcher.IgnoreOutsideDirs: why.RuleOutsideDirs,
	} {
		if w != j {
			t.Errorf("watcher kind %q is %q in the JSON", w, j)
		}
	}
}
