package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// osPaths are the per-OS default locations of the config file, the state
// folder and the status log.
type osPaths struct {
	config, stateDir, logFile string
}

// DefaultPath is where the config is read from without -config.
func DefaultPath() string { return pathsFor(runtime.GOOS, os.Getenv).config }

// DefaultLogFileOn is log.file's default on goos ("linux", "darwin",
// "windows"), for service files written for that system.
func DefaultLogFileOn(goos string) string { return pathsFor(goos, os.Getenv).logFile }

// defaultStateDir is state.dir when the config leaves it empty.
func defaultStateDir() string { return pathsFor(runtime.GOOS, os.Getenv).stateDir }

// defaultLogFile is log.file when the config leaves it empty.
func defaultLogFile() string { return pathsFor(runtime.GOOS, os.Getenv).logFile }

// pathsFor gives the default locations on goos. On Windows they live under
// %ProgramData% (C:\ProgramData when the variable is unset), so a service
// that starts in System32 still finds them.
func pathsFor(goos string, getenv func(string) string) osPaths {
	const app = "odailies-uploader"
	switch goos {
	case "windows":
		base := strings.TrimRight(getenv("ProgramData"), `\/`)
		if base == "" {
			base = `C:\ProgramData`
		}
		dir := base + `\` + app
		return osPaths{dir + `\config.toml`, dir, dir + `\logs\` + app + ".log"}
	case "darwin":
		support := "/Library/Application Support/" + app
		return osPaths{support + "/config.toml", support, "/Library/Logs/" + app + "/" + app + ".log"}
	}
	return osPaths{"/etc/" + app + "/config.toml", "/var/lib/" + app, "/var/log/" + app + "/" + app + ".log"}
}

// resolvePath makes p absolute against base (the config file's folder),
// never against the working directory. Empty stays empty.
func resolvePath(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
