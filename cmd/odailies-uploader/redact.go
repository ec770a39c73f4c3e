package main

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// redactor removes secrets from text before it reaches a log, the status
// file or the terminal: each secret in every spelling a URL may give it,
// and the query of every http(s) URL (a signed URL's query is what
// authorises the upload). A nil *redactor only cuts URL queries.
type redactor struct {
	replacer *strings.Replacer // nil when there are no secrets
}

// newRedactor returns a redactor for secrets; empty ones are ignored.
func newRedactor(secrets ...string) *redactor {
	type spelling struct{ from, to string }
	var sp []spelling
	for _, s := range secrets {
		if s == "" {
			continue
		}
		masked := redactToken(s)
		for _, form := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			sp = append(sp, spelling{form, masked})
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	slices.SortStableFunc(sp, func(a, b spelling) int { return cmp.Compare(len(b.from), len(a.from)) })
	pairs := make([]string, 0, 2*len(sp))
	for _, s := range sp {
		pairs = append(pairs, s.from, s.to)
	}
	r := &redactor{}
	if len(pairs) > 0 {
		r.replacer = strings.NewReplacer(pairs...)
	}
	return r
}

// String returns s with the secrets replaced and URL queries cut.
func (r *redactor) String(s string) string {
	if r != nil && r.replacer != nil {
		s = r.replacer.Replace(s)
	}
	return cutURLQueries(s)
}

// redactToken shows enough of a token to tell two apart: the first 3 and
// last 4 characters around "…" for tokens of 16 characters or more, only
// "…" for shorter ones (where 7 characters would give too much away).
func redactToken(tok string) string {
	r := []rune(tok)
	if len(r) < 16 {
		return "…"
	}
	return string(r[:3]) + "…" + string(r[len(r)-4:])
}

// cutURLQueries replaces the query (or fragment) of every http:// or
// https:// URL in s with "?…" (or "#…"), and drops any user:password@ part.
func cutURLQueries(s string) string {
	var b strings.Builder
	for {
		start := urlStart(s)
		if start < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := start + urlLen(s[start:])
		b.WriteString(s[:start])
		b.WriteString(redactURLText(s[start:end]))
		s = s[end:]
	}
}

// urlStart is the index of the first "http://" or "https://" in s, any
// case, or -1.
func urlStart(s string) int {
	for i := 0; i < len(s); i++ {
		if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") {
			return i
		}
	}
	return -1
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// urlLen is how far the URL at the start of s runs: up to white space or
// a character that quotes or brackets a URL in text.
func urlLen(s string) int {
	if i := strings.IndexAny(s, " \t\r\n\"'<>`\\{}|^"); i >= 0 {
		return i
	}
	return len(s)
}

// redactURLText cuts the query and user info from one URL's text.
func redactURLText(u string) string {
	scheme := strings.Index(u, "://") + len("://")
	if at := strings.LastIndex(u[:authorityEnd(u, scheme)], "@"); at >= scheme {
		u = u[:scheme] + u[at+1:]
	}
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q+1] + "…"
	}
	return u
}

// authorityEnd is where the host part of u, which starts at from, ends.
func authorityEnd(u string, from int) int {
	if i := strings.IndexAny(u[from:], "/?#"); i >= 0 {
		return from + i
	}
	return len(u)
}
