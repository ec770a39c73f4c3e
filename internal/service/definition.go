package service

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"

	service "github.com/kardianos/service"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/packaging"
)

// serviceHost is the machine install runs on: its OS and the absolute path
// of the executable the service will start.
type serviceHost struct {
	goos string
	exe  string
	// hasUser reports whether a user exists; nil: none does.
	hasUser func(name string) bool
}

// thisHost describes the running machine and binary.
func thisHost() (serviceHost, error) {
	exe, err := os.Executable()
	if err != nil {
		return serviceHost{}, fmt.Errorf("find this program's path: %w", err)
	}
	exe, err = filepath.Abs(exe)
	if err != nil {
		return serviceHost{}, fmt.Errorf("find this program's path: %w", err)
	}
	return serviceHost{goos: runtime.GOOS, exe: exe, hasUser: userExists}, nil
}

// serviceConfig is the kardianos/service definition of the daemon on this
// machine: it runs this executable as "run -config ABS".
func serviceConfig(cfg *config.Config, configPath string) (*service.Config, error) {
	h, err := thisHost()
	if err != nil {
		return nil, err
	}
	return serviceConfigFor(cfg, configPath, h)
}

// serviceConfigFor builds the service definition for host h without
// touching a service manager. The config path is made absolute: a Windows
// service starts in System32, a LaunchDaemon in /.
func serviceConfigFor(cfg *config.Config, configPath string, h serviceHost) (*service.Config, error) {
	abs, err := filepath.Abs(configPath)
	if err != nil {
		return nil, fmt.Errorf("config path %s: %w", configPath, err)
	}
	sc := &service.Config{
		Name:        cfg.Service.Name,
		DisplayName: cfg.Service.DisplayName,
		Description: cfg.Service.Description,
		UserName:    cfg.Service.User,
		Arguments:   []string{"run", "-config", abs},
		Executable:  h.exe,
		Option:      serviceOptions(),
	}
	switch {
	case h.goos == "windows":
		// service.user is for Linux and macOS; on Windows the service runs
		// as LocalSystem.
		sc.UserName = ""
	case sc.UserName == "" && h.goos == "linux" && h.hasUser != nil && h.hasUser(config.PackageUser):
		// A package made this user for the service: install as the
		// package's unit does, never silently as root.
		sc.UserName = config.PackageUser
	}
	if err := addServiceFile(sc, cfg, h.goos); err != nil {
		return nil, fmt.Errorf("service %s: %w", sc.Name, err)
	}
	return sc, nil
}

// serviceOptions are the per-manager settings (each manager reads its own).
func serviceOptions() service.KeyValue {
	return service.KeyValue{
		// systemd; the unit in packaging also says so, these keep
		// kardianos's own notion in step.
		"Restart":     "on-failure",
		"LimitNOFILE": 65536,
		// launchd: start at boot, relaunch when it exits.
		"KeepAlive": true,
		"RunAtLoad": true,
		// Windows: restart after a crash; start after boot's rush, when
		// the network and mapped storage are more likely up.
		"OnFailure":              "restart",
		"OnFailureDelayDuration": "10s",
		"OnFailureResetPeriod":   3600,
		"DelayedAutoStart":       true,
	}
}

// addServiceFile renders the unit or plist from packaging, the same text
// the packages ship, and hands it to kardianos as its template.
func addServiceFile(sc *service.Config, cfg *config.Config, goos string) error {
	p := packaging.UnitParams{
		Name:        sc.Name,
		Description: sc.Description,
		Path:        sc.Executable,
		Args:        sc.Arguments,
		User:        sc.UserName,
	}
	var key, text string
	var err error
	switch goos {
	case "linux":
		key = "SystemdScript"
		text, err = packaging.SystemdUnit(p)
	case "darwin":
		p.ErrorLog = launchdErrorLog(cfg)
		key = "LaunchdConfig"
		text, err = packaging.LaunchdPlist(p)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	// kardianos runs the text through its template engine once more;
	// without "{{" that is the identity.
	if strings.Contains(text, "{{") {
		return fmt.Errorf(`service file would contain "{{" (from a path or the description): rename it`)
	}
	sc.Option[key] = text
	return nil
}

// launchdErrorLog is where launchd sends the daemon's stderr (a crash, or a
// failure before the status log is open): beside the status log.
func launchdErrorLog(cfg *config.Config) string {
	logFile := cfg.Log.File
	if logFile == "-" || logFile == "" {
		logFile = config.DefaultLogFileOn("darwin")
	}
	return filepath.Join(filepath.Dir(logFile), "stderr.log")
}

// userExists reports whether the system knows the user name.
func userExists(name string) bool {
	_, err := user.Lookup(name)
	return err == nil
}

// RunsAs says whom the installed service runs as, for install's output:
// the user, or a warning when that is root.
func RunsAs(sc *service.Config, goos string) string {
	switch {
	case goos == "windows":
		return "LocalSystem"
	case sc.UserName != "":
		return sc.UserName
	}
	return "root (set [service] user to run it as an unprivileged user)"
}
