package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies"
)

// probePath is what CheckUpload asks the API to sign. Nothing is uploaded
// to it: a signature proves the project exists and the token may upload.
const probePath = "_thumbnails/.odailies-uploader-check"

// CheckShows asks the API, for each show, whether its token may upload
// into its project, and writes what it found to out, in plain words, the
// token never shown: what check prints without -offline. Every show is
// asked; the error names each show that cannot upload.
func CheckShows(ctx context.Context, cfg *config.Config, out io.Writer) error {
	var errs []error
	for _, s := range cfg.Shows {
		sc, who := showConfig(cfg, s), "this token"
		if len(cfg.Shows) > 1 {
			who = fmt.Sprintf("the token of show %q", s.Name)
		}
		fmt.Fprintf(out, "\nAsking %s whether %s may upload…\n", redact.New(s.API.Token).String(s.API.BaseURL), who)
		signed, err := CheckUpload(ctx, sc)
		if err != nil {
			errs = append(errs, showErr(cfg, s, err)) // said once, by the caller
			continue
		}
		fmt.Fprintf(out, "OK: project %q exists and the token may upload (signed URLs live %s",
			s.API.ProjectID, signed.Remaining(time.Now()).Round(time.Second))
		if skew := signed.Skew.Round(time.Second); skew != 0 {
			fmt.Fprintf(out, "; this machine's clock is off by %s, which is corrected for", -skew)
		}
		fmt.Fprintln(out, ").")
	}
	return errors.Join(errs...)
}

// CheckUpload asks the API to sign the probe path, within 30 s, and
// returns the signature; its error says in plain words what to fix.
func CheckUpload(ctx context.Context, cfg *config.Config) (odailies.SignedURL, error) {
	client, err := APIClient(cfg)
	if err != nil {
		return odailies.SignedURL{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	signed, err := client.SignUpload(ctx, probePath)
	if err != nil {
		return odailies.SignedURL{}, fmt.Errorf("%s: %w", explainSignError(err), err)
	}
	return signed, nil
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
