package daemon

import (
	"os"

	"github.com/odailies/odailies-uploader/internal/config"
)

// prepareStateDir creates state.dir (0700) for the daemon, and refuses to
// run as root in a state.dir another user owns: root would leave files
// there (queue.db, status.json) that the service, running as that user,
// could never open again.
func prepareStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return config.Errorf("create state.dir: %w", err)
	}
	if owner, ok := foreignOwner(dir); ok {
		return config.Errorf("state.dir %s belongs to %s, the service's user: run the daemon as that user "+
			"(start the service, or: sudo -u %s odailies-uploader …), or give this run its own state.dir, "+
			"so the service can still open what it writes", dir, owner, owner)
	}
	return nil
}
