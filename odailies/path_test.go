package odailies

import (
	"errors"
	"strings"
	"testing"
)

func TestEscapePath(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "_graded/A001C001_260422_R3CK.mov", "_graded/A001C001_260422_R3CK.mov"},
		{"nested", "_thumbnails/day2/A001C001.jpg", "_thumbnails/day2/A001C001.jpg"},
		{"space", "_graded/a b.mov", "_graded/a%20b.mov"},
		{"hash and question", "_graded/a#1?.mov", "_graded/a%231%3F.mov"},
		{"percent", "_graded/100%.mov", "_graded/100%25.mov"},
		{"plus amp semicolon", "_graded/a+b&c;d.mov", "_graded/a%2Bb%26c%3Bd.mov"},
		{"other sub-delims", "_graded/a=b,c:d@e$f'(g)!*.mov", "_graded/a%3Db%2Cc%3Ad%40e%24f%27%28g%29%21%2A.mov"},
		{"unreserved kept", "_graded/a-b.c_d~e.mov", "_graded/a-b.c_d~e.mov"},
		{"nfc stays", "_graded/caf\u00e9.mov", "_graded/caf%C3%A9.mov"},
		{"nfd becomes nfc", "_graded/cafe\u0301.mov", "_graded/caf%C3%A9.mov"},
		{"backslashes", `_graded\day2\a b.mov`, "_graded/day2/a%20b.mov"},
		{"emoji", "_graded/🎬.mov", "_graded/%F0%9F%8E%AC.mov"},
		{"dots inside a name", "_graded/a..b.mov", "_graded/a..b.mov"},
		{"dot-dot-dot segment", "_graded/.../a.mov", "_graded/.../a.mov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EscapePath(tt.in)
			if err != nil {
				t.Fatalf("EscapePath(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("EscapePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscapePathRefuses(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"leading slash", "/_graded/a.mov"},
		{"trailing slash", "_graded/"},
		{"double slash", "_graded//a.mov"},
		{"dot", "_graded/./a.mov"},
		{"dot-dot", "_graded/../a.mov"},
		{"dot-dot via backslash", `_graded\..\a.mov`},
		{"only dot", "."},
		{"invalid utf-8", "_graded/\xff.mov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EscapePath(tt.in)
			if err == nil {
				t.Fatalf("EscapePath(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrBadPath) {
				t.Errorf("error %v does not wrap ErrBadPath", err)
			}
			if IsTransient(err) {
				t.Errorf("IsTransient(%v) = true, want false", err)
			}
			if tt.in != "" && !strings.Contains(err.Error(), strings.ToValidUTF8(tt.in, "")[:1]) {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
}

func FuzzEscapePath(f *testing.F) {
	for _, s := range []string{"_graded/a b.mov", "a/../b", `x\y`, "cafe\u0301", "%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc, err := EscapePath(s)
		if err != nil {
			return
		}
		for _, seg := range strings.Split(esc, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("EscapePath(%q) = %q holds segment %q", s, esc, seg)
			}
			if strings.ContainsAny(seg, " #?;+&\\") {
				t.Fatalf("EscapePath(%q) = %q leaves a reserved character", s, esc)
			}
		}
	})
}
