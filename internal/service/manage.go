// Package service is the daemon as a system service, through
// kardianos/service: the definition install writes (the same systemd unit
// and launchd plist the packages ship, from packaging), the adapter that
// runs the daemon under systemd, launchd or the Windows service manager,
// and the manager's word on its state.
package service

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	service "github.com/kardianos/service"

	"github.com/odailies/odailies-uploader/internal/config"
)

// Managed is the service a config describes, as the service commands
// (install, start, …) see it: nothing reaches the service manager until one
// of S's methods is called.
type Managed struct {
	S   service.Service
	Def *service.Config // what S was made from
	Cfg *config.Config
}

// New returns the service cfg describes, only to be managed.
func New(cfg *config.Config) (*Managed, error) { return newService(cfg, noProgram{}) }

// newService binds prog to the service cfg describes.
func newService(cfg *config.Config, prog service.Interface) (*Managed, error) {
	sc, err := serviceConfig(cfg, cfg.Path)
	if err != nil {
		return nil, err
	}
	s, err := service.New(prog, sc)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", sc.Name, err)
	}
	return &Managed{S: s, Def: sc, Cfg: cfg}, nil
}

// PrepareInstall creates what the service file points at but the service
// manager does not create: on macOS the folder of the stderr log.
func PrepareInstall(cfg *config.Config) error {
	if runtime.GOOS != "darwin" {
		return nil
	}
	dir := filepath.Dir(launchdErrorLog(cfg))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create log folder: %w", err)
	}
	return nil
}

// Error wraps a service manager failure, with the usual cause when
// it is a permission problem.
func Error(action, name string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%s service %s: %w (run it as root, or as Administrator on Windows)", action, name, err)
	}
	return fmt.Errorf("%s service %s: %w", action, name, err)
}

// State is the service manager's word on the service, for status:
// "running", "stopped", "not installed" or "unknown (why)".
func State(cfg *config.Config) string {
	m, err := newService(cfg, noProgram{})
	if err != nil {
		return fmt.Sprintf("unknown (%v)", err)
	}
	return stateText(m.S.Status())
}

// stateText names a service manager's answer.
func stateText(st service.Status, err error) string {
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed"
	case err != nil:
		return fmt.Sprintf("unknown (%v)", err)
	case st == service.StatusRunning:
		return "running"
	case st == service.StatusStopped:
		return "stopped"
	}
	return "unknown (no answer from the service manager)"
}

// noProgram is the program of a service that is only managed, not run.
type noProgram struct{}

func (noProgram) Start(service.Service) error { return nil }
func (noProgram) Stop(service.Service) error  { return nil }
