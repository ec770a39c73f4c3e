package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/units"
)

// Settings is each key's effective value as check prints it, keyed by
// the dotted key; the token and header values are redacted.
func (cfg *Config) Settings() map[string]string {
	a, u, lg, s := cfg.API, cfg.Upload, cfg.Log, cfg.Service
	m := map[string]string{
		"api.base_url": a.BaseURL, "api.project_id": quoteEmpty(a.ProjectID),
		"api.token":      redact.Token(a.Token) + "  (from " + a.TokenSource + ")",
		"api.token_file": tokenFileValue(a.TokenSource),
		"upload.workers": fmt.Sprint(u.Workers), "upload.priority": listValue(u.Priority),
		"upload.bandwidth": rateText(u.Bandwidth), "upload.retry_min": Duration(u.RetryMin),
		"upload.bandwidth_schedule": scheduleText(u.BandwidthSchedule), "upload.retry_max": Duration(u.RetryMax),
		"upload.stall_timeout":          Duration(u.StallTimeout),
		"upload.headers":                headersValue(u.Headers),
		"upload.allow_insecure_storage": fmt.Sprint(u.AllowInsecureStorage),
		"upload.verify":                 fmt.Sprintf("%q", u.Verify),
		"state.dir":                     cfg.State.Dir,
		"log.file":                      logFileValue(lg.File), "log.level": LevelName(lg.Level),
		"log.status_every": Duration(lg.StatusEvery), "log.max_size": units.Exact(lg.MaxSize),
		"log.keep":  fmt.Sprint(lg.Keep),
		"ui.listen": uiListenValue(cfg.UI.Listen), "ui.password_file": passwordFileValue(cfg.UI.PasswordFile),
		"service.name": s.Name, "service.display_name": s.DisplayName,
		"service.description": quoteEmpty(s.Description), "service.user": userValue(s.User),
	}
	if len(cfg.Shows) > 0 {
		maps.Copy(m, cfg.ShowSettings(cfg.Shows[0]))
	}
	maps.Copy(m, cfg.notifySettings())
	return m
}

// SettingsRows are the rows check prints, in Keys' order: each key and
// its effective value; with several shows, the watch.* keys once per show,
// as watch[N].key.
func (cfg *Config) SettingsRows() [][2]string {
	values := cfg.Settings()
	var rows [][2]string
	for _, key := range Keys {
		if len(cfg.Shows) < 2 || !strings.HasPrefix(key, "watch.") {
			rows = append(rows, [2]string{key, values[key]})
		}
	}
	if len(cfg.Shows) < 2 {
		return rows
	}
	for i, s := range cfg.Shows {
		sv := cfg.ShowSettings(s)
		for _, key := range Keys {
			if sub, ok := strings.CutPrefix(key, "watch."); ok {
				rows = append(rows, [2]string{fmt.Sprintf("watch[%d].%s", i+1, sub), sv[key]})
			}
		}
	}
	return rows
}

// Tokens are every show's token (and the dashboard's password), for redacting what is printed.
func (cfg *Config) Tokens() []string {
	toks := []string{cfg.API.Token, cfg.UI.Password}
	for _, s := range cfg.Shows {
		toks = append(toks, s.API.Token)
	}
	return toks
}

// ShowSettings is the watch.* keys' effective values for show s, as
// Settings has them for the first show; check prints them per show when
// there are several.
func (cfg *Config) ShowSettings(s Show) map[string]string {
	a, wc := s.API, s.Watch
	return map[string]string{
		"watch.name": s.Name, "watch.root": wc.Root, "watch.dirs": listValue(wc.Dirs),
		"watch.settle": Duration(wc.Settle), "watch.rescan": Duration(wc.Rescan),
		"watch.poll": fmt.Sprint(wc.Poll), "watch.poll_interval": Duration(wc.PollInterval),
		"watch.include": listValue(wc.Include), "watch.exclude": listValue(wc.Exclude),
		"watch.open_writer_max": Duration(wc.OpenWriterMax),
		"watch.after_upload":    fmt.Sprintf("%q", wc.AfterUpload), "watch.after_upload_dir": wc.AfterUploadDir,
		"watch.project_id": quoteEmpty(a.ProjectID), "watch.base_url": a.BaseURL,
		"watch.token":      redact.Token(a.Token) + "  (from " + a.TokenSource + ")",
		"watch.token_file": tokenFileValue(a.TokenSource),
		"watch.priority":   listValue(s.Priority),
	}
}

// Duration prints a duration the way the config spells it
// ("10m", "1h", not "10m0s", "1h0m0s").
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// quoteEmpty shows an empty value visibly.
func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// listValue prints a list as TOML would.
func listValue(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// rateText prints upload.bandwidth.
func rateText(n int64) string {
	if n == 0 {
		return "unlimited"
	}
	return units.Exact(n) + "/s"
}

// headersValue lists header names; values may be credentials and are
// redacted like the token.
func headersValue(h map[string]string) string {
	if len(h) == 0 {
		return "{}"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(h)) {
		parts = append(parts, fmt.Sprintf("%s = %q", name, redact.Token(h[name])))
	}
	return "{" + strings.Join(parts, ", ") + "}  (values hidden)"
}

// tokenFileValue shows api.token_file when it is the token's source.
func tokenFileValue(source string) string {
	// "api.token_file (PATH)" or `watch[2].token_file (show "B") (PATH)`.
	if key, _, _ := strings.Cut(source, " "); strings.HasSuffix(key, ".token_file") {
		if i := strings.LastIndex(source, " ("); i >= 0 {
			return strings.TrimSuffix(source[i+2:], ")")
		}
	}
	return "(not used)"
}

// logFileValue explains "-".
func logFileValue(p string) string {
	if p == "-" {
		return "- (stderr)"
	}
	return p
}

// userValue explains an empty service.user.
func userValue(u string) string {
	if u == "" {
		return "(the system default)"
	}
	return u
}

// uiListenValue explains an empty ui.listen.
func uiListenValue(a string) string {
	if a == "" {
		return `"" (the dashboard is off)`
	}
	return a
}

// passwordFileValue explains an empty ui.password_file.
func passwordFileValue(p string) string {
	if p == "" {
		return "(none: no password; only a loopback ui.listen is allowed)"
	}
	return p
}
