package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/redact"
)

// FolderErrors turns a missing root or watched folder into a config
// error (check's rule; run and sync only warn).
func FolderErrors(cfg *config.Config) error {
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

// WriteSettings writes every key with its effective value, aligned, then
// the warnings (check's output). The whole text passes through a
// redactor for the tokens.
func WriteSettings(w io.Writer, cfg *config.Config, warnings []string) {
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
