package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/redact"
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
	cfg, warnings, err := config.Load(*configPath, c.getenv)
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
func folderErrors(cfg *config.Config) error {
	var errs []error
	for _, s := range cfg.Shows {
		for _, p := range config.MissingFolders(s.Watch.Root, s.Watch.Dirs) {
			errs = append(errs, fmt.Errorf("config %s: %s: create it or fix the key", cfg.Path, p))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return config.Wrap(errors.Join(errs...))
}

// printSettings writes every key with its effective value, aligned, then
// the warnings. The whole text passes through a redactor for the token.
func printSettings(w io.Writer, cfg *config.Config, warnings []string) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "config file\t%s\n", cfg.Path)
	for _, row := range cfg.SettingsRows() {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
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
	io.WriteString(w, redact.New(cfg.Tokens()...).String(buf.String()))
}
