package service

import (
	"time"

	"github.com/odailies/odailies-uploader/uploader"
)

// The stop ladder: how long each level waits for the one below it when
// the daemon is asked to stop, shortest first. Every level must end
// before the next one gives up on it, or the service manager kills the
// process mid-write and status.json keeps saying "running". A test checks
// the order against the unit and the plist the packages ship.
const (
	// StopGrace is how long uploads in flight may finish after the stop;
	// then they are cut and their jobs go back to the queue.
	StopGrace = uploader.DefaultStopGrace
	// StopTimeout is how long the service adapter's Stop waits for the
	// daemon to return (every part, scans included, ends on its context).
	// Under 5 s: Windows gives services about that at shutdown.
	StopTimeout = 4 * time.Second
	// HardStop is how long after the first stop signal the process exits
	// regardless, saying so, so the service manager never has to kill it.
	HardStop = 10 * time.Second
	// UnitStopTimeout is TimeoutStopSec in the systemd unit and ExitTimeOut
	// in the launchd plist: when the manager kills the process.
	UnitStopTimeout = 15 * time.Second
)
