//go:build windows

package service

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// recoveryRestarts is how many failures in a row are answered with a
// restart: Windows repeats the last action for every later failure.
const recoveryRestarts = 3

// completeSettings gives the installed service name the settings
// planSettings asks for, and says which it set. Running as LocalSystem the
// service may change its own configuration; only the settings named are
// touched (no UpdateConfig, which rewrites every field).
func completeSettings(name string) ([]string, error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, fmt.Errorf("connect to the service manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		return nil, fmt.Errorf("open service %s: %w", name, err)
	}
	defer s.Close()
	cur, err := readSettings(s)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	plan := planSettings(cur)
	if err := applySettings(s, plan); err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	return plan.changes(), nil
}

func readSettings(s *mgr.Service) (winSettings, error) {
	c, err := s.Config()
	if err != nil {
		return winSettings{}, fmt.Errorf("read its configuration: %w", err)
	}
	actions, err := s.RecoveryActions()
	if err != nil {
		return winSettings{}, fmt.Errorf("read its recovery actions: %w", err)
	}
	return winSettings{
		automatic: c.StartType == mgr.StartAutomatic,
		delayed:   c.DelayedAutoStart,
		actions:   len(actions),
	}, nil
}

func applySettings(s *mgr.Service, p winPlan) error {
	if p.setRecovery {
		actions := make([]mgr.RecoveryAction, recoveryRestarts)
		for i := range actions {
			actions[i] = mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: recoveryDelay}
		}
		if err := s.SetRecoveryActions(actions, recoveryResetPeriod); err != nil {
			return fmt.Errorf("set restart on failure: %w", err)
		}
		// A daemon that stops with an error exit code is a failure too,
		// not only a crash.
		if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
			return fmt.Errorf("set restart on an error exit: %w", err)
		}
	}
	if p.setDelayed {
		info := windows.SERVICE_DELAYED_AUTO_START_INFO{IsDelayedAutoStartUp: 1}
		if err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (*byte)(unsafe.Pointer(&info))); err != nil {
			return fmt.Errorf("set delayed automatic start: %w", err)
		}
	}
	return nil
}
