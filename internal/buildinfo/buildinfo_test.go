package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name          string
		ver, rev      string
		bi            *debug.BuildInfo
		wantVer, want string
	}{
		{"ldflags win", "1.2.0", "abc", &debug.BuildInfo{Main: debug.Module{Version: "v9"}, Settings: vcs("zzz", "true")}, "1.2.0", "abc"},
		{"module version", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}, Settings: vcs("deadbeef", "false")}, "v1.3.0", "deadbeef"},
		{"dirty tree", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("deadbeef", "true")}, "dev-deadbeef-dirty", "deadbeef-dirty"},
		{"nothing known", "", "", nil, "dev", "unknown"},
		{"long revision", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "false")}, "dev-0123456789ab", "0123456789abcdef0123"},
	}
	for _, tt := range tests {
		got := describeBuild(tt.ver, tt.rev, tt.bi)
		if got.Version != tt.wantVer || got.Commit != tt.want || got.GoVersion == "" || got.Platform == "" {
			t.Errorf("%s: %+v, want version %q commit %q", tt.name, got, tt.wantVer, tt.want)
		}
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := UserAgent(), "odailies-uploader/"+Get().Version; got != want {
		t.Errorf("UserAgent() = %q, want %q", got, want)
	}
}
