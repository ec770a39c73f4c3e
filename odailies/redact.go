package odailies

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// RedactToken shows enough of a token to tell tokens apart in a log: the
// first 3 and last 4 characters around "…" when it has at least 16
// characters, only "…" when it is shorter.
func RedactToken(tok string) string {
	r := []rune(tok)
	if len(r) < 16 {
		return "…"
	}
	return string(r[:3]) + "…" + string(r[len(r)-4:])
}

// RedactURL returns raw with its userinfo dropped and its query, if any,
// replaced by "?…": a signed URL's query is what authorises it. It does not
// know the API token; Client.Redact removes that too. Input that does not
// parse gives "(unparsable URL)".
func RedactURL(raw string) string {
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

// Redact returns s with the client's token, in every spelling a URL or a
// server's echo may carry it (raw, path-escaped, query-escaped), replaced
// by RedactToken, and with the query and userinfo of every URL in the text
// cut. Use it on any text that may hold a request URL before it reaches a
// log, a status file or the user.
func (c *Client) Redact(s string) string { return c.secrets.text(s) }

// redactor removes one token from text.
type redactor struct {
	spellings []string // the token as it may appear, longest first
	masked    string   // what each spelling becomes
}

func newRedactor(tok string) redactor {
	sp := []string{tok, escapeSegment(tok), url.PathEscape(tok), url.QueryEscape(tok)}
	slices.SortFunc(sp, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return redactor{spellings: slices.Compact(sp), masked: RedactToken(tok)}
}

// text redacts the token and URL queries in s.
func (r redactor) text(s string) string {
	for _, sp := range r.spellings {
		if sp != "" {
			s = strings.ReplaceAll(s, sp, r.masked)
		}
	}
	return redactURLsIn(s)
}

// cutText redacts s, which was cut from a longer text: a token split by the
// cut would survive redaction, so the tail that could hold its start is
// dropped first.
func (r redactor) cutText(s string) string {
	if len(r.spellings) > 0 {
		s = s[:len(s)-min(len(r.spellings[0]), len(s))]
	}
	return r.text(strings.ToValidUTF8(s, ""))
}

// redactURLsIn cuts the userinfo and the query of every "scheme://…" in s.
// A URL ends at white space, a quote or an angle bracket.
func redactURLsIn(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + 3 + urlLen(s[i+3:])
		b.WriteString(s[:i+3])
		b.WriteString(cutURLRest(s[i+3 : end]))
		s = s[end:]
	}
}

// urlLen is the length of the URL text at the start of s.
func urlLen(s string) int {
	n := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune("\"'`<>", r)
	})
	if n < 0 {
		return len(s)
	}
	return n
}

// cutURLRest redacts what follows "://": userinfo before the host goes,
// and a query becomes "?…".
func cutURLRest(s string) string {
	hostEnd := strings.IndexAny(s, "/?#")
	if hostEnd < 0 {
		hostEnd = len(s)
	}
	if at := strings.LastIndexByte(s[:hostEnd], '@'); at >= 0 {
		s = s[at+1:]
	}
	if q := strings.IndexByte(s, '?'); q >= 0 {
		return s[:q] + "?…"
	}
	return s
}
