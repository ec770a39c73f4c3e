// Package buildinfo says which build this is: the version and commit set
// at release time (-ldflags), or else what Go embeds (module version, VCS
// revision). The start line, status.json, the User-Agent and `version` all
// take it from here, so none of them is ever empty.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version and commit are set at release build time:
//
//	go build -ldflags "-X github.com/odailies/odailies-uploader/internal/buildinfo.version=1.2.0 \
//	  -X github.com/odailies/odailies-uploader/internal/buildinfo.commit=abc1234"
//
// When they are empty, the module and VCS data Go embeds are used.
var version, commit string

// Info describes a build.
type Info struct {
	Version, Commit, GoVersion, Platform string
}

// Get describes this binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, commit, bi)
}

// describeBuild prefers the -X values, then the build info: the module
// version, and vcs.revision with "-dirty" when vcs.modified is true.
func describeBuild(ver, rev string, bi *debug.BuildInfo) Info {
	out := Info{Version: ver, Commit: rev, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
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
		if out.Commit != "" {
			out.Version = "dev-" + shortRev(out.Commit)
		}
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

// UserAgent is the User-Agent of every request: odailies-uploader/VERSION.
func UserAgent() string { return "odailies-uploader/" + Get().Version }

// Version is this build's version, never empty.
func Version() string { return Get().Version }

// shortRev is a commit shortened to 12 characters, keeping "-dirty".
func shortRev(rev string) string {
	base, dirty := strings.CutSuffix(rev, "-dirty")
	if len(base) > 12 {
		base = base[:12]
	}
	if dirty {
		base += "-dirty"
	}
	return base
}
