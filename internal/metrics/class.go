package metrics

import "strings"

// Class reduces a failure or retry reason (the uploader's plain words) to
// one of a few label values, so no path or text reaches a label:
// network, server, throttled, auth, refused, damaged, too-large, local,
// other. The first rule that matches wins; "gave up after N attempts: X"
// is X's class.
func Class(reason string) string {
	r := strings.ToLower(reason)
	if _, after, ok := strings.Cut(r, "attempts: "); ok && strings.HasPrefix(r, "gave up after") {
		r = after
	}
	for _, c := range classes {
		for _, w := range c.words {
			if strings.Contains(r, w) {
				return c.name
			}
		}
	}
	return "other"
}

var classes = []struct {
	name  string
	words []string
}{
	{"damaged", []string{"baddigest", "invaliddigest", "damaged", "digest"}},
	{"too-large", []string{"single-upload limit", "entitytoolarge", "larger than"}},
	{"throttled", []string{"429", "slow down", "retry-after", "slowdown"}},
	{"network", []string{"cannot be reached", "stalled", "timeout", "connection", "eof", "reset by peer", "tls"}},
	{"auth", []string{"401", "token"}},
	{"refused", []string{"403", "freshly signed", "refused", "400", "404", "4xx"}},
	{"server", []string{" 500", " 502", " 503", " 504", "5xx", "internal error", "408"}},
	{"local", []string{"stat:", "open:", "regular file", "outside the watch root", "read "}},
}
