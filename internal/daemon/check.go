package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/odailies"
)

// probePath is what CheckUpload asks the API to sign. Nothing is uploaded
// to it: a signature proves the project exists and the token may upload.
const probePath = "_thumbnails/.odailies-uploader-check"

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
