// Package logging builds the status log: slog text lines to a rotated file
// (lumberjack) or stderr, every record passed through the one redactor
// (internal/redact) so no token or signed URL query reaches the log.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/redact"
)

// New returns the status logger described by cfg: text lines to
// cfg.File, rotated at cfg.MaxSize with cfg.Keep old files kept, or to
// stderr when cfg.File is "-". Every record passes through r first, so no
// secret or signed URL query reaches the log. Close the returned Closer
// when done with the logger.
func New(cfg config.LogConfig, stderr io.Writer, r *redact.Redactor) (*slog.Logger, io.Closer, error) {
	w, closer, err := logWriter(cfg, stderr)
	if err != nil {
		return nil, nil, err
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: cfg.Level})
	return slog.New(newRedactingHandler(h, r)), closer, nil
}

// logWriter opens the log destination.
func logWriter(cfg config.LogConfig, stderr io.Writer) (io.Writer, io.Closer, error) {
	if cfg.File == "-" || cfg.File == "" {
		return stderr, io.NopCloser(nil), nil
	}
	if err := os.MkdirAll(filepath.Dir(cfg.File), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create the log folder for log.file %s: %w", cfg.File, err)
	}
	lj := &lumberjack.Logger{
		Filename:   cfg.File,
		MaxSize:    megabytes(cfg.MaxSize),
		MaxBackups: cfg.Keep,
	}
	// Open now, so a log file that cannot be written is an error at start
	// rather than lost lines later. lumberjack creates new files 0600.
	if _, err := lj.Write(nil); err != nil {
		return nil, nil, fmt.Errorf("open log.file %s: %w", cfg.File, err)
	}
	if err := tightenMode(cfg.File); err != nil {
		lj.Close()
		return nil, nil, err
	}
	return lj, lj, nil
}

// tightenMode makes an existing log file private (0600): lumberjack keeps
// the mode of a file it did not create.
func tightenMode(p string) error {
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(p, 0o600); err != nil {
		return fmt.Errorf("make log.file %s private (chmod 600): %w", p, err)
	}
	return nil
}

// megabytes converts log.max_size to lumberjack's whole megabytes, at
// least one.
func megabytes(n int64) int {
	mb := (n + 1<<20 - 1) / (1 << 20)
	if mb < 1 {
		return 1
	}
	if mb > 1<<30 {
		return 1 << 30
	}
	return int(mb)
}
