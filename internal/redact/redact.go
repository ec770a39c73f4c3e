// Package redact is the project's one place for keeping secrets out of
// text: the API token in every spelling a URL or a server's echo may give
// it, and the query and userinfo of every URL (a signed URL's query is what
// authorises the upload). Logs, error messages, status.json and command
// output all pass through it.
package redact

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// Redactor removes a fixed set of secrets from text. The zero value and a
// nil *Redactor know no secret and only cut URL queries.
type Redactor struct {
	spellings []spelling // longest first, so a secret holding another goes whole
	longest   int        // length of the longest spelling
}

type spelling struct{ from, to string }

// New returns a Redactor for secrets; empty ones are ignored. Each secret
// is also matched in its path-escaped, query-escaped and strictly
// segment-escaped (every byte but the unreserved ones as %XX) forms.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		masked := Token(s)
		for _, f := range Spellings(s) {
			r.spellings = append(r.spellings, spelling{f, masked})
			r.longest = max(r.longest, len(f))
		}
	}
	slices.SortStableFunc(r.spellings, func(a, b spelling) int { return cmp.Compare(len(b.from), len(a.from)) })
	return r
}

// Spellings are the forms of secret that New matches: as it is,
// path-escaped, query-escaped and segment-escaped, without repeats. Tests
// use them to assert that no form of a secret was shown.
func Spellings(secret string) []string {
	forms := []string{secret, url.PathEscape(secret), url.QueryEscape(secret), EscapeSegment(secret)}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// String returns s with the secrets replaced by their Token form and the
// query and userinfo of every http(s) URL cut.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sp := range r.spellings {
			s = strings.ReplaceAll(s, sp.from, sp.to)
		}
	}
	return URLsIn(s)
}

// Cut redacts s, which was cut from a longer text (a body excerpt): a
// secret split by the cut would survive, so the tail that could hold the
// start of one is dropped first, and bytes left invalid by the cut go too.
func (r *Redactor) Cut(s string) string {
	if r != nil && r.longest > 0 {
		s = s[:len(s)-min(r.longest, len(s))]
	}
	return r.String(strings.ToValidUTF8(s, ""))
}

// Token shows enough of a token to tell two apart: the first 3 and last 4
// characters around "…" for tokens of 16 characters or more, only "…" for
// shorter ones, where 7 characters would give too much away.
func Token(tok string) string {
	r := []rune(tok)
	if len(r) < 16 {
		return "…"
	}
	return string(r[:3]) + "…" + string(r[len(r)-4:])
}

// URL returns raw with its userinfo dropped and its query, if any, replaced
// by "?…". Input that does not parse gives "(unparsable URL)".
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "…", false // String writes RawQuery as is
	}
	return u.String()
}

// EscapeSegment percent-escapes every byte of s that is not an RFC 3986
// unreserved character. It is stricter than url.PathEscape, which leaves
// ';', ',', '+', '&', '=', ':', '@' and '$' that servers and proxies may
// rewrite; the API client escapes path segments with it.
func EscapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}
