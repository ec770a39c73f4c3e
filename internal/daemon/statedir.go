package daemon

import (
	"os"
	"path/filepath"

	"github.com/odailies/odailies-uploader/internal/config"
)

// CheckRunAs refuses to run the daemon as root where another user (the
// service's) owns state.dir or the log's folder: root would leave files
// there (queue.db, status.json, the log) that the service, running as
// that user, could never open again. Call it before anything is created,
// the log included.
func CheckRunAs(cfg *config.Config) error {
	dirs := []struct{ key, dir string }{{"state.dir", cfg.State.Dir}}
	if cfg.Log.File != "-" && cfg.Log.File != "" {
		dirs = append(dirs, struct{ key, dir string }{"the folder of log.file", filepath.Dir(cfg.Log.File)})
	}
	for _, d := range dirs {
		if owner, ok := foreignOwner(d.dir); ok {
			return config.Errorf("%s %s belongs to %s, the service's user: run the daemon as that user "+
				"(start the service, or: sudo -u %s odailies-uploader …), or give this run its own state.dir and log.file, "+
				"so the service can still open what it writes", d.key, d.dir, owner, owner)
		}
	}
	return nil
}

// prepareStateDir creates state.dir (0700) for the daemon, after
// CheckRunAs.
func prepareStateDir(cfg *config.Config) error {
	if err := CheckRunAs(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.State.Dir, 0o700); err != nil {
		return config.Errorf("create state.dir: %w", err)
	}
	return nil
}
