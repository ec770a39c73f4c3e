package redact

import (
	"net/url"
	"strings"
	"testing"
)

func secretForms(secret string) []string { return Spellings(secret) }

// specialTokens need escaping in a URL path or query, or are not ASCII.
var specialTokens = []string{
	"s3cr3t/t0ken?x=1&y=%2F+plus#frag",
	"tök€n-with-ünïcode-0123456789",
	"semi;colon,comma:colon@at$dollar!",
	"tok+secret/ with;odd=chars_f3a1",
}

func assertNoSecret(t *testing.T, out, secret string) {
	t.Helper()
	for _, form := range secretForms(secret) {
		if strings.Contains(out, form) {
			t.Errorf("output holds the secret %q as %q:\n%s", secret, form, out)
		}
	}
}

func TestToken(t *testing.T) {
	tests := []struct{ tok, want string }{
		{"", "…"},
		{"short", "…"},
		{"fifteen-chars-x", "…"},
		{"sixteen-chars-xy", "six…s-xy"},
		{"secret-token-abcdef123456", "sec…3456"},
		{"ééééééééééééééüü", "ééé…ééüü"},
	}
	for _, tt := range tests {
		if got := Token(tt.tok); got != tt.want {
			t.Errorf("Token(%q) = %q, want %q", tt.tok, got, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
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
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	const tok = "s3cr3t/t0ken?x=1&y=%2F+plus#frag"
	masked := Token(tok)
	r := New("", tok)
	tests := []struct{ in, want string }{
		{"no secrets here", "no secrets here"},
		{"raw " + tok + " end", "raw " + masked + " end"},
		{"path /upload/p/" + url.PathEscape(tok) + "/_graded/a.mov", "path /upload/p/" + masked + "/_graded/a.mov"},
		{"path /upload/p/" + EscapeSegment(tok) + "/_graded/a.mov", "path /upload/p/" + masked + "/_graded/a.mov"},
		{"query token=" + url.QueryEscape(tok), "query token=" + masked},
		{`Put "https://s3.example/b/a.mov?X-Amz-Signature=abc&X-Amz-Credential=k": EOF`, `Put "https://s3.example/b/a.mov?…": EOF`},
		{"HTTPS://S3.example/x?sig=1 and http://127.0.0.1:9/y?z=2", "HTTPS://S3.example/x?… and http://127.0.0.1:9/y?…"},
		{"https://user:pass@host/p", "https://host/p"},
		{"see https://u:p@s3.example/k?sig=abc now", "see https://s3.example/k?… now"},
		{"https://host/p#frag", "https://host/p#…"},
		{"https://host/p", "https://host/p"},
		{"see https://h/" + url.PathEscape(tok) + "/x?q=1", "see https://h/" + masked + "/x?…"},
		{"http://", "http://"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestHidesSpecialTokens(t *testing.T) {
	for _, tok := range specialTokens {
		r := New(tok)
		for _, form := range secretForms(tok) {
			out := r.String("before " + form + " after https://x/" + form)
			assertNoSecret(t, out, tok)
			if !strings.Contains(out, Token(tok)) {
				t.Errorf("%q: redacted text lacks the masked token: %q", tok, out)
			}
		}
	}
}

func TestNilAndEmpty(t *testing.T) {
	var r *Redactor
	if got := r.String("https://h/p?sig=1"); got != "https://h/p?…" {
		t.Errorf("nil redactor: %q", got)
	}
	if got := New().String("plain"); got != "plain" {
		t.Errorf("empty redactor: %q", got)
	}
	if got := r.Cut("abc"); got != "abc" {
		t.Errorf("nil redactor Cut: %q", got)
	}
}

func TestCut(t *testing.T) {
	r := New("0123456789abcdefghij")
	in := strings.Repeat("x", 30) + "0123456789abc" // a token cut short
	if got := r.Cut(in); strings.Contains(got, "0123456") {
		t.Errorf("Cut(%q) = %q keeps part of the token", in, got)
	}
}

// FuzzRedactor checks that the redactor never panics and that a token
// (long, without "…") never survives in text holding no URL.
func FuzzRedactor(f *testing.F) {
	f.Add("secret-token-abcdef123456", "x secret-token-abcdef123456 y https://h/p?q=1")
	f.Add("s3cr3t/t0ken?x=1&y=%2F+plus", "s3cr3t%2Ft0ken%3Fx=1 s3cr3t%2Ft0ken%3Fx%3D1%26y%3D%252F%2Bplus")
	f.Add("İİİİİİİİİİİİİİİİ", "HTTPİ://x?y")
	f.Fuzz(func(t *testing.T, secret, text string) {
		out := New(secret).String(text)
		if len([]rune(secret)) < 16 || strings.Contains(secret, "…") || strings.Contains(text, "://") {
			return
		}
		assertNoSecret(t, out, secret)
	})
}
