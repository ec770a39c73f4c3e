package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// cmdCheck validates the config, prints the effective settings with the
// token redacted and, unless -offline, asks the API whether the token may
// upload. Unlike for run, a missing root or watched folder is an error.
func cmdCheck(ctx context.Context, c *cli, args []string) error {
	fs, configPath := c.commandFlags("check", "[-offline]",
		"Validate the config, print the effective settings (token redacted) and,\nunless -offline, ask the API whether the token may upload.")
	offline := fs.Bool("offline", false, "only check the config and folders; do not contact the API")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, warnings, err := loadConfig(*configPath, c.getenv)
	if err != nil {
		return err
	}
	printSettings(c.stdout, cfg, warnings)
	if !*offline {
		if err := checkOnline(ctx, c, cfg); err != nil {
			return err
		}
	}
	return folderErrors(cfg)
}

// folderErrors turns a missing root or watched folder into a config error.
func folderErrors(cfg *Config) error {
	var errs []error
	for _, p := range missingFolders(cfg.Watch.Root, cfg.Watch.Dirs) {
		errs = append(errs, fmt.Errorf("config %s: %s: create it or fix the key", cfg.Path, p))
	}
	if len(errs) == 0 {
		return nil
	}
	return &configError{errors.Join(errs...)}
}

// printSettings writes every key with its effective value, aligned, then
// the warnings. The whole text passes through a redactor for the token.
func printSettings(w io.Writer, cfg *Config, warnings []string) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "config file\t%s\n", cfg.Path)
	values := settingValues(cfg)
	for _, key := range configKeys {
		fmt.Fprintf(tw, "%s\t%s\n", key, values[key])
	}
	tw.Flush()
	if len(warnings) == 0 {
		buf.WriteString("\nNo warnings.\n")
	} else {
		buf.WriteString("\nWarnings:\n")
		for _, warn := range warnings {
			fmt.Fprintf(&buf, "  - %s\n", warn)
		}
	}
	io.WriteString(w, newRedactor(cfg.API.Token).String(buf.String()))
}

// settingValues is each config key's effective value as check prints it.
func settingValues(cfg *Config) map[string]string {
	a, wc, u, lg, s := cfg.API, cfg.Watch, cfg.Upload, cfg.Log, cfg.Service
	return map[string]string{
		"api.base_url": a.BaseURL, "api.project_id": quoteEmpty(a.ProjectID),
		"api.token":      redactToken(a.Token) + "  (from " + a.TokenSource + ")",
		"api.token_file": tokenFileValue(a.TokenSource),
		"watch.root":     wc.Root, "watch.dirs": listValue(wc.Dirs),
		"watch.settle": dur(wc.Settle), "watch.rescan": dur(wc.Rescan),
		"watch.poll": fmt.Sprint(wc.Poll), "watch.poll_interval": dur(wc.PollInterval),
		"watch.include": listValue(wc.Include), "watch.exclude": listValue(wc.Exclude),
		"watch.open_writer_max": dur(wc.OpenWriterMax),
		"upload.workers":        fmt.Sprint(u.Workers), "upload.priority": listValue(u.Priority),
		"upload.bandwidth": rateText(u.Bandwidth), "upload.retry_min": dur(u.RetryMin),
		"upload.retry_max": dur(u.RetryMax), "upload.stall_timeout": dur(u.StallTimeout),
		"upload.headers": headersValue(u.Headers), "upload.small_file": formatSize(u.SmallFile),
		"state.dir": cfg.State.Dir,
		"log.file":  logFileValue(lg.File), "log.level": levelName(lg.Level),
		"log.status_every": dur(lg.StatusEvery), "log.max_size": formatSize(lg.MaxSize),
		"log.keep":     fmt.Sprint(lg.Keep),
		"service.name": s.Name, "service.display_name": s.DisplayName,
		"service.description": quoteEmpty(s.Description), "service.user": userValue(s.User),
	}
}

// dur prints a duration the way the config spells it
// ("10m", "1h", not "10m0s", "1h0m0s").
func dur(d time.Duration) string {
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
	return formatSize(n) + "/s"
}

// headersValue lists header names; values may be credentials and are
// redacted like the token.
func headersValue(h map[string]string) string {
	if len(h) == 0 {
		return "{}"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(h)) {
		parts = append(parts, fmt.Sprintf("%s = %q", name, redactToken(h[name])))
	}
	return "{" + strings.Join(parts, ", ") + "}  (values hidden)"
}

// tokenFileValue shows api.token_file when it is the token's source.
func tokenFileValue(source string) string {
	if p, ok := strings.CutPrefix(source, "api.token_file ("); ok {
		return strings.TrimSuffix(p, ")")
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
