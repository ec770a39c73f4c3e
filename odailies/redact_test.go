package odailies

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactToken(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "…"},
		{"short", "…"},
		{"0123456789abcde", "…"},
		{"0123456789abcdef", "012…cdef"},
		{"tok_abcdefghijklmnopqrstuvwxyz_f3a1", "tok…f3a1"},
		{"ééééééééééééééééé", "ééé…éééé"},
	}
	for _, tt := range tests {
		if got := RedactToken(tt.in); got != tt.want {
			t.Errorf("RedactToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://s3.example/b/k.mov?X-Amz-Signature=abc&X-Amz-Expires=900", "https://s3.example/b/k.mov?…"},
		{"https://user:pw@s3.example/b/k.mov", "https://s3.example/b/k.mov"},
		{"https://s3.example/b/k.mov", "https://s3.example/b/k.mov"},
		{"https://s3.example/b/k.mov?", "https://s3.example/b/k.mov?…"},
		{"https://s3.example/k?sig=1#part", "https://s3.example/k?…#part"},
		{"http://[::1", "(unparsable URL)"},
		{"%zz", "(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

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

func TestRedactorCutText(t *testing.T) {
	r := newRedactor("0123456789abcdefghij")
	in := strings.Repeat("x", 30) + "0123456789abc" // a token cut short
	if got := r.cutText(in); strings.Contains(got, "0123456") {
		t.Errorf("cutText(%q) = %q keeps part of the token", in, got)
	}
}
