package daemon

import (
	"net/http"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/odailies"
)

// ClipsRefusal turns the API's refusal of a clips call into what to fix
// in the config, as a *config.Error; other errors (network, 5xx) are
// returned as they are. perm is the token flag the call needs ("Read" or
// "Write"), verb what it does ("read", "change"). The client has already
// removed the token from err's text.
func ClipsRefusal(err error, cfg *config.Config, perm, verb string) error {
	switch odailies.StatusCode(err) {
	case http.StatusUnauthorized:
		return config.Errorf("the API does not accept the token in the config (from %s): check it, or make a new one in the project settings (%w)", cfg.API.TokenSource, err)
	case http.StatusForbidden:
		return config.Errorf("the token in the config lacks the %s permission needed to %s clip metadata: give it %s in the project settings (%w)", perm, verb, perm, err)
	case http.StatusNotFound:
		return config.Errorf("the API does not know project_id %q: check api.project_id in %s (%w)", cfg.API.ProjectID, cfg.Path, err)
	}
	return err
}
