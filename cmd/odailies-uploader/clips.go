package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/odailies/odailies-uploader/odailies"
)

// cmdClips runs `clips get` or `clips patch`: the v1 clip metadata calls.
func cmdClips(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		clipsUsage(c.stderr)
		return usageErrorf("clips needs a subcommand: get or patch")
	}
	switch args[0] {
	case "get":
		return clipsGet(ctx, c, args[1:])
	case "patch":
		return clipsPatch(ctx, c, args[1:])
	case "-h", "-help", "--help", "help":
		clipsUsage(c.stdout)
		return nil
	}
	clipsUsage(c.stderr)
	return usageErrorf("unknown clips subcommand %q (want get or patch)", args[0])
}

func clipsUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n"+
		"  odailies-uploader clips get [-config FILE] [-json | -csv]\n"+
		"  odailies-uploader clips patch [-config FILE] [options] -f FILE\n"+
		"  odailies-uploader clips patch [-config FILE] [options] NAME key=value...\n\n"+
		"Run 'odailies-uploader clips get -h' or 'clips patch -h' for the options.\n")
}

// apiClient is the v1 API client for the config's project and token; a
// refusal of the settings is a configuration error.
func apiClient(cfg *Config) (*odailies.Client, error) {
	client, err := odailies.New(odailies.Options{
		BaseURL:   cfg.API.BaseURL,
		ProjectID: cfg.API.ProjectID,
		Token:     cfg.API.Token,
		UserAgent: userAgent(),
	})
	if err != nil {
		return nil, &configError{fmt.Errorf("config %s: %w", cfg.Path, err)}
	}
	return client, nil
}

// clipsCall names what a clips call needed, for explaining refusals.
type clipsCall struct {
	perm string // the token flag the call needs: "Read" or "Write"
	verb string // "read" or "change"
}

// explain turns the API's refusals into what to fix in the config: exit 2.
// Other errors (network, 5xx) are runtime failures. The client has already
// removed the token from err's text.
func (call clipsCall) explain(err error, cfg *Config) error {
	switch odailies.StatusCode(err) {
	case http.StatusUnauthorized:
		return &configError{fmt.Errorf("the API does not accept the token in the config (from %s): check it, or make a new one in the project settings (%w)", cfg.API.TokenSource, err)}
	case http.StatusForbidden:
		return &configError{fmt.Errorf("the token in the config lacks the %s permission needed to %s clip metadata: give it %s in the project settings (%w)", call.perm, call.verb, call.perm, err)}
	case http.StatusNotFound:
		return &configError{fmt.Errorf("the API does not know project_id %q: check api.project_id in %s (%w)", cfg.API.ProjectID, cfg.Path, err)}
	}
	return err
}
