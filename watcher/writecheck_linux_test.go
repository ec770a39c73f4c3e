package watcher

import (
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriterCheckSaysWhenBlind runs the watcher as the packaged service runs
// it (no CAP_SYS_PTRACE) and as root, in event and poll mode, and with the
// bookkeeping unavailable: Status names the check, and a check that cannot
// see other users' writers says so once, with the fix, however many scans
// follow.
func TestWriterCheckSaysWhenBlind(t *testing.T) {
	emfile := fmt.Errorf("start open-writer inotify: %w", syscall.EMFILE)
	for _, tc := range []struct {
		name    string
		poll    bool
		seesAll bool
		bookErr error
		want    string
		fix     string // in the warning; "" means no warning
	}{
		{"service user, events", false, false, nil, "inotify + /proc", ""},
		{"service user, poll", true, false, nil, procOwn, "set poll = false"},
		{"root, poll", true, true, nil, "/proc", ""},
		{"service user, no inotify instance left", false, false, emfile, procOwn, "see the open-writer bookkeeping warning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &logRecorder{}
			opts := Options{Poll: tc.poll, PollInterval: 5 * time.Millisecond, Rescan: 5 * time.Millisecond, Logger: slog.New(rec)}
			w, c := start(t, mkTree(t), opts, func(w *Watcher) {
				w.seesAll = func() bool { return tc.seesAll }
				if tc.bookErr != nil {
					w.newBook = func() (*book, error) { return nil, tc.bookErr }
				}
			})
			waitFor(t, c, "five scans", func() bool { return c.scanCount() >= 5 })
			if got := w.Status().WriterCheck; got != tc.want {
				t.Errorf("WriterCheck %q, want %q", got, tc.want)
			}
			warns := rec.find(slog.LevelWarn, blindWarning)
			switch {
			case tc.fix == "" && len(warns) != 0:
				t.Errorf("warned %q although the check sees every writer", attr(warns[0], "fix"))
			case tc.fix != "" && len(warns) != 1:
				t.Fatalf("%d warnings, want exactly one", len(warns))
			case tc.fix != "":
				if fix := attr(warns[0], "fix"); !strings.Contains(fix, tc.fix) || !strings.Contains(fix, "raise settle") {
					t.Errorf("fix %q; want it to name %q and raising settle", fix, tc.fix)
				}
				if !strings.Contains(attr(warns[0], "consequence"), "uploaded before it is finished") {
					t.Errorf("consequence %q", attr(warns[0], "consequence"))
				}
			}
			if n := len(rec.find(slog.LevelWarn, "open-writer bookkeeping unavailable")); (tc.bookErr != nil) != (n == 1) {
				t.Errorf("%d bookkeeping warnings", n)
			}
		})
	}
}

func TestHasCap(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   bool
	}{
		{"Name:\tx\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n", true}, // root
		{"CapEff:\t0000000000080000\n", true},                                      // CAP_SYS_PTRACE alone
		{"CapPrm:\t0000000000080000\nCapEff:\t0000000000000000\n", false},          // permitted, not effective
		{"CapEff:\t0000000000000000\n", false},                                     // the service user
		{"Name:\tx\n", false},
	} {
		if got := hasCap([]byte(tc.status), capSysPtrace); got != tc.want {
			t.Errorf("hasCap(%q) = %v", tc.status, got)
		}
	}
}

// TestBookFailureTurnsItOff makes every folder watch of the bookkeeping
// fail (as ENOSPC would, when the second watch per folder exceeds
// fs.inotify.max_user_watches): file events go on, the check degrades to
// /proc, and both facts are logged once.
func TestBookFailureTurnsItOff(t *testing.T) {
	rec := &logRecorder{}
	opts := Options{Rescan: 5 * time.Millisecond, Logger: slog.New(rec)}
	w, c := start(t, mkTree(t), opts, func(w *Watcher) {
		w.seesAll = func() bool { return false }
		w.newBook = func() (*book, error) {
			b, err := newBook()
			b.close() // its add now fails
			return b, err
		}
	})
	waitFor(t, c, "five scans", func() bool { return c.scanCount() >= 5 })
	if s := w.Status(); s.Mode != "events" || s.WriterCheck != procOwn {
		t.Errorf("mode %q, WriterCheck %q; want events and %q", s.Mode, s.WriterCheck, procOwn)
	}
	if off, blind := rec.find(slog.LevelWarn, "open-writer bookkeeping off"), rec.find(slog.LevelWarn, blindWarning); len(off) != 1 || len(blind) != 1 {
		t.Errorf("%d bookkeeping-off and %d blind warnings, want one each", len(off), len(blind))
	}
}

// attr returns the value of a record's attribute as a string.
func attr(rec slog.Record, key string) string {
	v := ""
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}
