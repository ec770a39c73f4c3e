package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are set at release build time:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=abc1234"
//
// When they are empty, the module and VCS data Go embeds are used.
var version, commit string

// buildInfo is what `version` prints.
type buildInfo struct {
	Version, Commit, GoVersion, Platform string
}

// currentBuild describes this binary.
func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, commit, bi)
}

// describeBuild prefers the -X values, then the build info: the module
// version, and vcs.revision with "-dirty" when vcs.modified is true.
func describeBuild(ver, rev string, bi *debug.BuildInfo) buildInfo {
	out := buildInfo{Version: ver, Commit: rev, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if out.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			out.Version = bi.Main.Version
		}
		if out.Commit == "" {
			out.Commit = vcsRevision(bi.Settings)
		}
		if bi.GoVersion != "" {
			out.GoVersion = bi.GoVersion
		}
	}
	if out.Version == "" {
		out.Version = "dev"
	}
	if out.Commit == "" {
		out.Commit = "unknown"
	}
	return out
}

// vcsRevision is the embedded commit, marked "-dirty" when the tree had
// changes, or "".
func vcsRevision(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "true" {
		rev += "-dirty"
	}
	return rev
}

// userAgent is the User-Agent of every request: odailies-uploader/VERSION.
func userAgent() string {
	return "odailies-uploader/" + currentBuild().Version
}

// cmdVersion prints the version, commit, Go version and platform.
func cmdVersion(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: odailies-uploader version\n\nprint version, commit, Go version and platform\n")
	}
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	b := currentBuild()
	fmt.Fprintf(c.stdout, "odailies-uploader %s\ncommit:   %s\ngo:       %s\nplatform: %s\n", b.Version, b.Commit, b.GoVersion, b.Platform)
	return nil
}
