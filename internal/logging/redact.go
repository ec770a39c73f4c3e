package logging

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// redactingHandler passes every record to the next handler with its
// message and every attribute value redacted: strings, errors, values
// that log themselves (LogValuer) and anything else printed as text.
// Numbers, booleans, times and durations pass unchanged.
type redactingHandler struct {
	next slog.Handler
	r    *redact.Redactor
}

var _ slog.Handler = (*redactingHandler)(nil)

// newRedactingHandler wraps next.
func newRedactingHandler(next slog.Handler, r *redact.Redactor) *redactingHandler {
	return &redactingHandler{next: next, r: r}
}

// Enabled defers to the wrapped handler.
func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts the record and passes it on.
func (h *redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs before the wrapped handler keeps them.
func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(clean), r: h.r}
}

// WithGroup opens a group in the wrapped handler.
func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(h.r.String(name)), r: h.r}
}

// attr returns a with its key and value redacted, groups recursively.
func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	a.Key = h.r.String(a.Key)
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(h.r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		a.Value = slog.GroupValue(clean...)
	case slog.KindAny, slog.KindLogValuer:
		a.Value = slog.StringValue(h.r.String(anyText(v.Any())))
	default:
		a.Value = v
	}
	return a
}

// anyText is v as text: fmt calls Error or String methods and turns a
// panic in them into text instead of crashing.
func anyText(v any) string { return fmt.Sprint(v) }
