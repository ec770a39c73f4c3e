package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kardianos/service"
)

// cmdInstall installs the system service: it will run this executable as
// "run -config ABS" for the config given.
func cmdInstall(ctx context.Context, c *cli, args []string) error {
	m, err := c.service(args, "install",
		"Install the system service. It runs this program with the config given (made absolute);\n"+
			"the service's name, description and user come from its [service] table.")
	if err != nil {
		return err
	}
	if err := prepareInstall(m.cfg); err != nil {
		return err
	}
	sc := m.def
	if err := m.s.Install(); err != nil {
		return serviceError("install", sc.Name, err)
	}
	command := strings.Join(append([]string{sc.Executable}, sc.Arguments...), " ")
	fmt.Fprintf(c.stdout, "installed service %s (%s): %s\nstart it with: %s start -config %s\n",
		sc.Name, service.Platform(), command, sc.Executable, m.cfg.Path)
	return nil
}

// cmdUninstall stops and removes the system service.
func cmdUninstall(ctx context.Context, c *cli, args []string) error {
	m, err := c.service(args, "uninstall", "Stop and remove the system service. The config, state and log stay.")
	if err != nil {
		return err
	}
	if st, err := m.s.Status(); err == nil && st == service.StatusRunning {
		if err := m.s.Stop(); err != nil {
			return serviceError("stop", m.def.Name, err)
		}
	}
	if err := m.s.Uninstall(); err != nil {
		return serviceError("uninstall", m.def.Name, err)
	}
	fmt.Fprintf(c.stdout, "removed service %s\n", m.def.Name)
	return nil
}

// cmdStart starts the installed service.
func cmdStart(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "start", "Start the installed system service.", service.Service.Start)
}

// cmdStop stops the running service.
func cmdStop(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "stop", "Stop the system service.", service.Service.Stop)
}

// cmdRestart stops and starts the service, for example after editing the config.
func cmdRestart(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "restart", "Restart the system service (after editing its config).", service.Service.Restart)
}

// serviceAction runs one service manager action and says what it did.
func (c *cli) serviceAction(args []string, name, summary string, action func(service.Service) error) error {
	m, err := c.service(args, name, summary)
	if err != nil {
		return err
	}
	if err := action(m.s); err != nil {
		return serviceError(name, m.def.Name, err)
	}
	fmt.Fprintf(c.stdout, "%s: %s done\n", m.def.Name, name)
	return nil
}

// managed is a service as a service command sees it.
type managed struct {
	s   service.Service
	def *service.Config // what s was made from
	cfg *Config
}

// service parses a service command's flags, loads its config and returns
// the service it names. Nothing reaches the service manager yet.
func (c *cli) service(args []string, name, summary string) (*managed, error) {
	fs, configPath := c.commandFlags(name, "", summary)
	if err := c.parse(fs, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	cfg, err := c.config(*configPath)
	if err != nil {
		return nil, err
	}
	return newService(cfg, noProgram{})
}

// newService binds prog to the service cfg describes.
func newService(cfg *Config, prog service.Interface) (*managed, error) {
	sc, err := serviceConfig(cfg, cfg.Path)
	if err != nil {
		return nil, err
	}
	s, err := service.New(prog, sc)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", sc.Name, err)
	}
	return &managed{s: s, def: sc, cfg: cfg}, nil
}

// prepareInstall creates what the service file points at but the service
// manager does not create: on macOS the folder of the stderr log.
func prepareInstall(cfg *Config) error {
	if runtime.GOOS != "darwin" {
		return nil
	}
	dir := filepath.Dir(launchdErrorLog(cfg))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create log folder: %w", err)
	}
	return nil
}

// serviceError wraps a service manager failure, with the usual cause when
// it is a permission problem.
func serviceError(action, name string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%s service %s: %w (run it as root, or as Administrator on Windows)", action, name, err)
	}
	return fmt.Errorf("%s service %s: %w", action, name, err)
}

// serviceState is the service manager's word on the service, for status:
// "running", "stopped", "not installed" or "unknown (why)".
func serviceState(cfg *Config) string {
	m, err := newService(cfg, noProgram{})
	if err != nil {
		return fmt.Sprintf("unknown (%v)", err)
	}
	return stateText(m.s.Status())
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
