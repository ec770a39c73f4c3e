package watcher

import (
	"context"
	"log/slog"
	"sync"
)

// blindWarning is the message of the warning that the writer check is blind.
const blindWarning = "open-writer check cannot see other users' writers"

// logRecorder is a slog.Handler that keeps every record, to count warnings.
type logRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}

// find returns the records at level with message msg.
func (r *logRecorder) find(level slog.Level, msg string) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.recs {
		if rec.Level == level && rec.Message == msg {
			out = append(out, rec)
		}
	}
	return out
}
