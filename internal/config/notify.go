package config

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/odailies/odailies-uploader/internal/notify"
)

// NotifyConfig is one [[notify]] table: a webhook and what it is told.
type NotifyConfig struct {
	URL               string   // never print whole: notify.Where
	Events            []string // notify.EventFailure, EventHealth, EventCaughtUp
	Format            string   // notify.FormatJSON or FormatSlack
	Quiet             time.Duration
	AuthorizationFile string // absolute; "" when not set
	Authorization     string // its content; never print
}

// rawNotify is a [[notify]] table as written.
type rawNotify struct {
	URL               string        `toml:"url"`
	Events            []string      `toml:"events"`
	Format            string        `toml:"format"`
	Quiet             durationValue `toml:"quiet"`
	AuthorizationFile string        `toml:"authorization_file"`
}

// notifyEvents are a table's events when it names none: all of them.
var notifyEvents = []string{notify.EventFailure, notify.EventHealth, notify.EventCaughtUp}

// maxAuthorizationFile bounds what is read of an authorization_file.
const maxAuthorizationFile = 8 << 10

// notifyErrf records a problem with key of the n-th [[notify]] table.
func (l *loader) notifyErrf(n int, key, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("config %s: notify[%d].%s: %s", l.path, n, key, fmt.Sprintf(format, args...)))
}

// buildNotify checks the [[notify]] tables.
func (l *loader) buildNotify(r *rawCommon) []NotifyConfig {
	var out []NotifyConfig
	for i, rn := range r.Notify {
		n := NotifyConfig{URL: strings.TrimSpace(rn.URL), Format: strings.TrimSpace(rn.Format), Quiet: time.Duration(rn.Quiet)}
		l.checkNotifyURL(i, n.URL)
		if n.Format == "" {
			n.Format = notify.FormatJSON
		}
		if n.Format != notify.FormatJSON && n.Format != notify.FormatSlack {
			l.notifyErrf(i, "format", "%q is not %q or %q (Slack and Mattermost take %q)", n.Format, notify.FormatJSON, notify.FormatSlack, notify.FormatSlack)
		}
		if n.Quiet == 0 {
			n.Quiet = notify.DefaultQuiet
		}
		if n.Quiet < 0 {
			l.notifyErrf(i, "quiet", "%s is negative: how long a show's folders stay quiet before caught-up, e.g. \"10m\"", n.Quiet)
		}
		n.Events = rn.Events
		if len(n.Events) == 0 {
			n.Events = slices.Clone(notifyEvents)
		}
		for _, e := range n.Events {
			if !slices.Contains(notifyEvents, e) {
				l.notifyErrf(i, "events", "%q is not one of %q", e, notifyEvents)
			}
		}
		if p := strings.TrimSpace(rn.AuthorizationFile); p != "" {
			n.AuthorizationFile = resolvePath(l.dir, p)
			n.Authorization = l.authorizationFile(i, n.AuthorizationFile)
		}
		out = append(out, n)
	}
	return out
}

// checkNotifyURL refuses a URL that is not absolute http(s). The error
// names only its scheme and host: a Slack webhook's path is its secret.
func (l *loader) checkNotifyURL(i int, raw string) {
	if raw == "" {
		l.notifyErrf(i, "url", "missing: the webhook's address, e.g. \"https://hooks.slack.com/services/…\"")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		l.notifyErrf(i, "url", "%s is not an http or https address", notify.Where(raw))
		return
	}
	if u.Scheme == "http" && !LoopbackHost(u.Hostname()) {
		l.warnf("notify[%d].url: %s is plain http: notifications (paths, reasons) cross the network unencrypted", i, notify.Where(raw))
	}
}

// authorizationFile reads and trims the Authorization value at p.
func (l *loader) authorizationFile(i int, p string) string {
	f, err := os.Open(p)
	if err != nil {
		l.notifyErrf(i, "authorization_file", "cannot read it: %v", err)
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAuthorizationFile+1))
	switch {
	case err != nil:
		l.notifyErrf(i, "authorization_file", "cannot read %s: %v", p, err)
		return ""
	case len(data) > maxAuthorizationFile:
		l.notifyErrf(i, "authorization_file", "%s is larger than an Authorization header can be: is it the right file?", p)
		return ""
	}
	v := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	switch {
	case v == "":
		l.notifyErrf(i, "authorization_file", "%s is empty: put the Authorization header's value in it, e.g. \"Bearer …\"", p)
		return ""
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		l.notifyErrf(i, "authorization_file", "%s holds a line break or control character: it must be one line", p)
		return ""
	}
	l.warnReadable(fmt.Sprintf("notify[%d].authorization_file", i), p, "the authorization file")
	return v
}

// notifySettings are the notify.* rows check prints: each table's value
// in order, "; " between tables; the URL as scheme and host only.
func (cfg *Config) notifySettings() map[string]string {
	if len(cfg.Notify) == 0 {
		return map[string]string{"notify.url": "(none: no [[notify]] table)", "notify.events": "-",
			"notify.format": "-", "notify.quiet": "-", "notify.authorization_file": "-"}
	}
	var url, events, format, quiet, auth []string
	for _, n := range cfg.Notify {
		url = append(url, notify.Where(n.URL))
		events = append(events, listValue(n.Events))
		format = append(format, fmt.Sprintf("%q", n.Format))
		quiet = append(quiet, Duration(n.Quiet))
		auth = append(auth, quoteEmpty(n.AuthorizationFile))
	}
	j := func(v []string) string { return strings.Join(v, "; ") }
	return map[string]string{"notify.url": j(url), "notify.events": j(events), "notify.format": j(format),
		"notify.quiet": j(quiet), "notify.authorization_file": j(auth)}
}
