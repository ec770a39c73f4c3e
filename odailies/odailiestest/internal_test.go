package odailiestest

import "testing"

func TestUnescapeSegments(t *testing.T) {
	tests := []struct {
		in   string
		want string // joined with "|", or "error"
	}{
		{"a/b%20c", "a|b c"},
		{"a%2Fb", "a/b"},
		{"caf%C3%A9", "café"},
		{"a/%zz", "error"},
		{"a/%", "error"},
	}
	for _, tt := range tests {
		segs, err := unescapeSegments(tt.in)
		got := "error"
		if err == nil {
			got = ""
			for i, s := range segs {
				if i > 0 {
					got += "|"
				}
				got += s
			}
		}
		if got != tt.want {
			t.Errorf("unescapeSegments(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPermString(t *testing.T) {
	tests := map[Perm]string{0: "none", Read: "Read", Read | Upload: "Read|Upload", Read | Write | Upload: "Read|Write|Upload"}
	for p, want := range tests {
		if got := p.String(); got != want {
			t.Errorf("Perm(%d).String() = %q, want %q", p, got, want)
		}
	}
}
