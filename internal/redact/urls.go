package redact

import "strings"

// URLsIn cuts the userinfo and the query (or fragment) of every http:// or
// https:// URL in s, any case: "?…" (or "#…") stays to show one was there.
// A URL ends at white space, a control byte, or a character that quotes or
// brackets a URL in text.
func URLsIn(s string) string {
	var b strings.Builder
	for {
		start := urlStart(s)
		if start < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		end := start + urlLen(s[start:])
		b.WriteString(s[:start])
		b.WriteString(cutURL(s[start:end]))
		s = s[end:]
	}
}

// urlStart is the index of the first "http://" or "https://" in s, any
// case, or -1.
func urlStart(s string) int {
	for i := 0; i+len("http://") <= len(s); i++ {
		if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") {
			return i
		}
	}
	return -1
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// urlLen is how far the URL at the start of s runs.
func urlLen(s string) int {
	n := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune("\"'`<>\\{}|^", r)
	})
	if n < 0 {
		return len(s)
	}
	return n
}

// cutURL cuts the query and userinfo from one URL's text.
func cutURL(u string) string {
	scheme := strings.Index(u, "://") + len("://")
	hostEnd := len(u)
	if i := strings.IndexAny(u[scheme:], "/?#"); i >= 0 {
		hostEnd = scheme + i
	}
	if at := strings.LastIndex(u[:hostEnd], "@"); at >= scheme {
		u = u[:scheme] + u[at+1:]
	}
	if q := strings.IndexAny(u, "?#"); q >= 0 {
		u = u[:q+1] + "…"
	}
	return u
}
