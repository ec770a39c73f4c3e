package main

import (
	"context"
	"fmt"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// probePath is what `check` asks the API to sign. Nothing is uploaded to
// it: a signature proves the project exists and the token may upload.
const probePath = "_thumbnails/.odailies-uploader-check"

// checkOnline asks the API to sign the probe path and says, in plain
// words, whether uploads will work.
func checkOnline(ctx context.Context, c *cli, cfg *Config) error {
	client, err := apiClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fmt.Fprintf(c.stdout, "\nAsking %s whether this token may upload…\n", client.Redact(cfg.API.BaseURL))
	signed, err := client.SignUpload(ctx, probePath)
	if err != nil {
		return fmt.Errorf("%s: %w", explainSignError(err), err)
	}
	fmt.Fprintf(c.stdout, "OK: project %q exists and the token may upload (signed URLs live %s",
		cfg.API.ProjectID, signed.Remaining(time.Now()).Round(time.Second))
	if skew := signed.Skew.Round(time.Second); skew != 0 {
		fmt.Fprintf(c.stdout, "; this machine's clock is off by %s, which is corrected for", -skew)
	}
	fmt.Fprintln(c.stdout, ").")
	return nil
}

// explainSignError says what a failed sign request means for the user.
func explainSignError(err error) string {
	switch status := odailies.StatusCode(err); {
	case status == 401:
		return "the API does not know this token: check api.token (or its file or ODAILIES_TOKEN)"
	case status == 403:
		return "the token is valid but lacks the Upload permission: ask for a token with Upload"
	case status == 404:
		return "the API does not know this project: check api.project_id (and api.base_url)"
	case status == 429 || status >= 500:
		return "the API is busy or failing right now: try again in a few minutes"
	case status == 0:
		return "cannot reach the API: check api.base_url and the network (or proxy settings)"
	}
	return "the API refused the request"
}
