package odailies

import (
	"net/url"
	"testing"
)

const testToken = "tok+secret/ with;odd=chars_f3a1"

func TestClientRedact(t *testing.T) {
	c, err := New(Options{BaseURL: "https://odailies.example/api/v1", ProjectID: "p", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in, want string }{
		{"raw", "token " + testToken + " refused", "token tok…f3a1 refused"},
		{"path-escaped", `Get "https://odailies.example/api/v1/upload/p/` + escapeSegment(testToken) + `/a.mov": EOF`,
			`Get "https://odailies.example/api/v1/upload/p/tok…f3a1/a.mov": EOF`},
		{"query-escaped", "t=" + url.QueryEscape(testToken) + "&x=1", "t=tok…f3a1&x=1"},
		{"signed query", `PUT "https://s3.example/k?sig=abc&exp=1": 403`, `PUT "https://s3.example/k?…": 403`},
		{"unquoted URL", "see https://u:p@s3.example/k?sig=abc now", "see https://s3.example/k?… now"},
		{"two URLs", "http://a/x?1 and http://b/y?2", "http://a/x?… and http://b/y?…"},
		{"nothing secret", "connection refused", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
