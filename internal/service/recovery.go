package service

import "time"

// The Windows service's start and recovery settings. `install` writes them
// through kardianos (DelayedAutoStart, OnFailure); the MSI cannot, since
// wixl has no ServiceConfig element, so the service fills them in itself
// when it starts (recovery_windows.go), through the service manager.
const (
	// recoveryDelay is how long Windows waits before restarting the
	// service after it failed (as the systemd unit's RestartSec).
	recoveryDelay = 10 * time.Second
	// recoveryResetPeriod is how long, in seconds, the service must run
	// without failing before Windows counts failures from the first again.
	recoveryResetPeriod = 3600
)

// winSettings is what the service manager says of the service, as far as
// the settings the service fills in go.
type winSettings struct {
	automatic bool // start type automatic
	delayed   bool // delayed automatic start
	actions   int  // recovery actions configured
}

// winPlan is what to change; the zero value changes nothing.
type winPlan struct {
	setRecovery bool // restart after recoveryDelay on every failure
	setDelayed  bool // delayed automatic start
}

// planSettings decides what the service fills in. It only completes a
// service nobody has configured yet: once any recovery action is set (by
// install, by a previous start, or by an admin choosing their own), it
// leaves everything as it is, so an admin's choice is never undone.
func planSettings(cur winSettings) winPlan {
	if cur.actions > 0 {
		return winPlan{}
	}
	return winPlan{setRecovery: true, setDelayed: cur.automatic && !cur.delayed}
}

// changes names what p changes, for the log.
func (p winPlan) changes() []string {
	var out []string
	if p.setRecovery {
		out = append(out, "restart 10s after a failure")
	}
	if p.setDelayed {
		out = append(out, "delayed automatic start")
	}
	return out
}
