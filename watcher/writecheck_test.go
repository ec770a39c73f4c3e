package watcher

import (
	"log/slog"
	"runtime"
	"testing"
	"time"
)

// TestWriterCheckPerOS runs in poll mode as a user who may not inspect other
// users' processes and checks what each OS reports: Linux the /proc walk of
// its own processes, Windows the share-mode open (which sees every writer),
// macOS and the BSDs settle alone; and that a blind check warns once.
func TestWriterCheckPerOS(t *testing.T) {
	want, warns := "settle only", 1
	switch runtime.GOOS {
	case "linux":
		want = "/proc (own processes only)"
	case "windows":
		want, warns = "share-mode open", 0
	}
	rec := &logRecorder{}
	opts := Options{Poll: true, PollInterval: 5 * time.Millisecond, Logger: slog.New(rec)}
	w, c := start(t, mkTree(t), opts, func(w *Watcher) { w.seesAll = func() bool { return false } })
	waitFor(t, c, "three scans", func() bool { return c.scanCount() >= 3 })
	if got := w.Status().WriterCheck; got != want {
		t.Errorf("WriterCheck %q on %s, want %q", got, runtime.GOOS, want)
	}
	if n := len(rec.find(slog.LevelWarn, blindWarning)); n != warns {
		t.Errorf("%d blind warnings on %s, want %d", n, runtime.GOOS, warns)
	}
}
