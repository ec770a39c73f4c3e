package longpath

import (
	"strings"
	"testing"
)

func TestExtended(t *testing.T) {
	deep := strings.Repeat(`Reel 03 Day 12 Camera A\`, 11) + "A001C003.mov" // 276 characters
	tests := []struct{ in, want string }{
		{`C:\Dailies\_graded\a.mov`, `C:\Dailies\_graded\a.mov`},
		{`C:\` + deep, `\\?\C:\` + deep},
		{`d:/` + strings.ReplaceAll(deep, `\`, "/"), `\\?\d:\` + deep},
		{`C:\Dailies\\` + deep, `\\?\C:\Dailies\` + deep},
		{`\\nas\dailies\` + deep, `\\?\UNC\nas\dailies\` + deep},
		{`\\?\C:\` + deep, `\\?\C:\` + deep},
		{`\??\C:\` + deep, `\??\C:\` + deep},
		{`\\.\pipe\` + deep, `\\.\pipe\` + deep},
		{`C:\Dailies\..\` + deep, `C:\Dailies\..\` + deep},
		{`C:\Dailies\.\` + deep, `C:\Dailies\.\` + deep},
		{`relative\` + deep, `relative\` + deep},
		{`C:` + deep, `C:` + deep},
		{`\` + deep, `\` + deep},
	}
	for _, tt := range tests {
		if got := Extended(tt.in); got != tt.want {
			t.Errorf("Extended(%.40q…) = %.50q…, want %.50q…", tt.in, got, tt.want)
		}
	}
}

// From counts UTF-16 units, as Windows does: 4-byte runes count twice,
// other non-ASCII runes once.
func TestExtendedCountsUTF16(t *testing.T) {
	short := `C:\` + strings.Repeat("é", From-4) // 247 units, 491 bytes
	if got := Extended(short); got != short {
		t.Errorf("a %d-unit path was extended", utf16Len(short))
	}
	long := `C:\` + strings.Repeat("🎬", (From-2)/2) // 249 units
	if got := Extended(long); got != `\\?\`+long {
		t.Errorf("a %d-unit path was not extended", utf16Len(long))
	}
}
