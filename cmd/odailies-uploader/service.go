package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	kservice "github.com/kardianos/service"

	"github.com/odailies/odailies-uploader/internal/service"
)

// cmdInstall installs the system service: it will run this executable as
// "run -config ABS" for the config given.
func cmdInstall(ctx context.Context, c *cli, args []string) error {
	m, err := c.managed(args, "install",
		"Install the system service. It runs this program with the config given (made absolute);\n"+
			"the service's name, description and user come from its [service] table.")
	if err != nil {
		return err
	}
	if err := service.PrepareInstall(m.Cfg); err != nil {
		return err
	}
	sc := m.Def
	if err := m.S.Install(); err != nil {
		return service.Error("install", sc.Name, err)
	}
	command := strings.Join(append([]string{sc.Executable}, sc.Arguments...), " ")
	fmt.Fprintf(c.stdout, "installed service %s (%s): %s\nruns as: %s\nstart it with: %s start -config %s\n",
		sc.Name, kservice.Platform(), command, service.RunsAs(sc, runtime.GOOS), sc.Executable, m.Cfg.Path)
	return nil
}

// cmdUninstall stops and removes the system service.
func cmdUninstall(ctx context.Context, c *cli, args []string) error {
	m, err := c.managed(args, "uninstall", "Stop and remove the system service. The config, state and log stay.")
	if err != nil {
		return err
	}
	if st, err := m.S.Status(); err == nil && st == kservice.StatusRunning {
		if err := m.S.Stop(); err != nil {
			return service.Error("stop", m.Def.Name, err)
		}
	}
	if err := m.S.Uninstall(); err != nil {
		return service.Error("uninstall", m.Def.Name, err)
	}
	fmt.Fprintf(c.stdout, "removed service %s\n", m.Def.Name)
	return nil
}

// cmdStart starts the installed service.
func cmdStart(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "start", "Start the installed system service.", kservice.Service.Start)
}

// cmdStop stops the running service.
func cmdStop(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "stop", "Stop the system service.", kservice.Service.Stop)
}

// cmdRestart stops and starts the service, for example after editing the config.
func cmdRestart(ctx context.Context, c *cli, args []string) error {
	return c.serviceAction(args, "restart", "Restart the system service (after editing its config).", kservice.Service.Restart)
}

// serviceAction runs one service manager action and says what it did.
func (c *cli) serviceAction(args []string, name, summary string, action func(kservice.Service) error) error {
	m, err := c.managed(args, name, summary)
	if err != nil {
		return err
	}
	if err := action(m.S); err != nil {
		return service.Error(name, m.Def.Name, err)
	}
	fmt.Fprintf(c.stdout, "%s: %s done\n", m.Def.Name, name)
	return nil
}

// managed parses a service command's flags, loads its config and returns
// the service it names. Nothing reaches the service manager yet.
func (c *cli) managed(args []string, name, summary string) (*service.Managed, error) {
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
	return service.New(cfg)
}
