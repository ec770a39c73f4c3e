package watcher

import (
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/longpath"
)

// The watcher's copy gives what internal/longpath gives, for every case
// that package's tests name and then some.
func TestExtendedPathMatchesLongpath(t *testing.T) {
	deep := strings.Repeat(`Reel 03 Day 12 Camera A\`, 11) + "A001C003.mov"
	for _, p := range []string{
		`C:\Dailies\_graded\a.mov`, `C:\` + deep, `d:/` + strings.ReplaceAll(deep, `\`, "/"), `C:\Dailies\\` + deep,
		`\\nas\dailies\` + deep, `\\?\C:\` + deep, `\??\C:\` + deep, `\\.\pipe\` + deep, `C:\Dailies\..\` + deep,
		`C:\Dailies\.\` + deep, `relative\` + deep, `C:` + deep, `\` + deep, `@:\` + deep, `[:\` + deep,
		`C:\` + strings.Repeat("é", 244), `C:\` + strings.Repeat("🎬", 123),
	} {
		if got, want := extendedPath(p), longpath.Extended(p); got != want {
			t.Errorf("extendedPath(%.40q…) = %.50q…, longpath.Extended says %.50q…", p, got, want)
		}
	}
	if got := extendedPath(`C:\` + deep); got != `\\?\C:\`+deep {
		t.Errorf("a deep path is not extended: %.50q…", got)
	}
}
