package main

import (
	"net/url"
	"strings"
	"testing"
)

// secretForms are the spellings of secret that must never be shown.
func secretForms(secret string) []string {
	return []string{secret, url.PathEscape(secret), url.QueryEscape(secret)}
}

// specialTokens need escaping in a URL path or query, or are not ASCII.
var specialTokens = []string{
	"s3cr3t/t0ken?x=1&y=%2F+plus#frag",
	"tök€n-with-ünïcode-0123456789",
	"semi;colon,comma:colon@at$dollar!",
}

func TestRedactToken(t *testing.T) {
	tests := []struct{ tok, want string }{
		{"", "…"},
		{"short", "…"},
		{"fifteen-chars-x", "…"},
		{"sixteen-chars-xy", "six…s-xy"},
		{"secret-token-abcdef123456", "sec…3456"},
		{"ééééééééééééééüü", "ééé…ééüü"},
	}
	for _, tt := range tests {
		if got := redactToken(tt.tok); got != tt.want {
			t.Errorf("redactToken(%q) = %q, want %q", tt.tok, got, tt.want)
		}
	}
}

func TestRedactorString(t *testing.T) {
	const tok = "s3cr3t/t0ken?x=1&y=%2F+plus#frag"
	masked := redactToken(tok)
	r := newRedactor("", tok)
	tests := []struct{ in, want string }{
		{"no secrets here", "no secrets here"},
		{"raw " + tok + " end", "raw " + masked + " end"},
		{"path /upload/p/" + url.PathEscape(tok) + "/_graded/a.mov", "path /upload/p/" + masked + "/_graded/a.mov"},
		{"query token=" + url.QueryEscape(tok), "query token=" + masked},
		{`Put "https://s3.example/b/a.mov?X-Amz-Signature=abc&X-Amz-Credential=k": EOF`, `Put "https://s3.example/b/a.mov?…": EOF`},
		{"HTTPS://S3.example/x?sig=1 and http://127.0.0.1:9/y?z=2", "HTTPS://S3.example/x?… and http://127.0.0.1:9/y?…"},
		{"https://user:pass@host/p", "https://host/p"},
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

func TestRedactorHidesSpecialTokens(t *testing.T) {
	for _, tok := range specialTokens {
		r := newRedactor(tok)
		for _, form := range secretForms(tok) {
			out := r.String("before " + form + " after https://x/" + form)
			assertNoSecret(t, out, tok)
			if !strings.Contains(out, redactToken(tok)) {
				t.Errorf("%q: redacted text lacks the masked token: %q", tok, out)
			}
		}
	}
}

func TestNilAndEmptyRedactor(t *testing.T) {
	var r *redactor
	if got := r.String("https://h/p?sig=1"); got != "https://h/p?…" {
		t.Errorf("nil redactor: %q", got)
	}
	if got := newRedactor().String("plain"); got != "plain" {
		t.Errorf("empty redactor: %q", got)
	}
}

// FuzzRedactor checks that the redactor never panics and that a token
// (long, without "…") never survives in text holding no URL.
func FuzzRedactor(f *testing.F) {
	f.Add("secret-token-abcdef123456", "x secret-token-abcdef123456 y https://h/p?q=1")
	f.Add("s3cr3t/t0ken?x=1&y=%2F+plus", "s3cr3t%2Ft0ken%3Fx=1 s3cr3t%2Ft0ken%3Fx%3D1%26y%3D%252F%2Bplus")
	f.Add("İİİİİİİİİİİİİİİİ", "HTTPİ://x?y")
	f.Fuzz(func(t *testing.T, secret, text string) {
		out := newRedactor(secret).String(text)
		if len([]rune(secret)) < 16 || strings.Contains(secret, "…") || strings.Contains(text, "://") {
			return
		}
		assertNoSecret(t, out, secret)
	})
}
