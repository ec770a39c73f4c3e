package uploader

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies"
)

// notingSigner is the pool's Signer: every sign request that fails
// becomes the pool's last error (Snapshot.LastError). A request cut by the
// stop is not a failure and is not noted.
type notingSigner struct {
	Signer
	note func(text string)
	base string // Options.APIBaseURL
}

var _ Signer = notingSigner{}

func (s notingSigner) SignUpload(ctx context.Context, rel string) (odailies.SignedURL, error) {
	su, err := s.Signer.SignUpload(ctx, rel)
	if err != nil && ctx.Err() == nil {
		s.note(signText(rel, err, s.base))
	}
	return su, err
}

// signText says in plain words why signing rel failed, as in "sign
// _graded/a.mov: the oDailies API at https://odailies.com/api/v1 cannot be
// reached: dial tcp …: connection refused". Errors of the odailies client
// are redacted already; every URL's query is cut once more regardless.
func signText(rel string, err error, base string) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return redact.URLsIn(err.Error())
	}
	api := "the oDailies API"
	if b := apiBase(rel, err, base); b != "" {
		api += " at " + b
	}
	return redact.URLsIn("sign " + rel + ": " + api + " cannot be reached: " + networkCause(err))
}

// putText says in plain words why a PUT of rel failed: a request that
// got no answer names the storage host; an answer is quoted as the
// odailies error has it (status and body excerpt, the signature cut).
func putText(rel string, err error) string {
	var ue *url.Error
	if errors.Is(err, errStalled) || !errors.As(err, &ue) {
		return redact.URLsIn(err.Error())
	}
	where := "the storage"
	if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
		where += " at " + u.Scheme + "://" + u.Host
	}
	return redact.URLsIn("PUT " + rel + ": " + where + " cannot be reached: " + networkCause(err))
}

// networkCause is what went wrong below HTTP ("dial tcp …: connection
// refused"), without the request URL net/http puts in front of it.
func networkCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return redact.URLsIn(ue.Err.Error())
	}
	return redact.URLsIn(err.Error())
}

// signRoute is the number of path segments the sign route puts between
// the API base and the file's path: upload/{project}/{token}.
const signRoute = 3

// apiBase names the API base URL for a person: configured when set, else
// read from the URL of the sign request in err, which ends in
// /upload/{project}/{token}/{rel} (the token is redacted there already);
// if its shape is not that, the scheme and host alone. "" when err holds
// no URL.
func apiBase(rel string, err error, configured string) string {
	if configured != "" {
		return redact.URL(configured)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return ""
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || u.Host == "" {
		return ""
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	origin := u.Scheme + "://" + u.Host
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	n := signRoute + len(strings.Split(rel, "/"))
	if len(segs) < n || segs[len(segs)-n] != "upload" {
		return origin
	}
	base := strings.Join(segs[:len(segs)-n], "/")
	if base == "" {
		return origin
	}
	return origin + "/" + base
}
