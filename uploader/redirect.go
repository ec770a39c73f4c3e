package uploader

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies"
)

// maxRedirects bounds the 307/308 hops one PUT follows.
const maxRedirects = 5

// hintStorage is the fix offered when the storage's answer or address,
// not the file, is what is wrong.
const hintStorage = "check the storage endpoint (or ask oDailies about it), then run 'odailies-uploader retry'"

// hintInsecure is the fix offered for a plain-http signed URL.
const hintInsecure = "ask for https storage URLs; on a network you trust, upload.allow_insecure_storage = true " +
	"sends them anyway, then run 'odailies-uploader retry'"

// putClient is the client PUTs go through: c's transport, wrapped so each
// hop is traced (hopTransport), and a redirect policy of our own: only
// 307 and 308 are followed, since they send the body again; 301, 302 and
// 303 would turn the PUT into a GET without one, whose 200 means nothing.
// c's own CheckRedirect, if any, is asked after ours allows a hop.
func putClient(c *http.Client, allowInsecure bool) *http.Client {
	pc := *c
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	pc.Transport = &hopTransport{next: next}
	theirs := c.CheckRedirect
	pc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !followable(req, via, allowInsecure) {
			return http.ErrUseLastResponse // put says why
		}
		if theirs != nil {
			return theirs(req, via)
		}
		return nil
	}
	return &pc
}

// followable reports whether the client may follow the redirect to req:
// a 307 or 308, within maxRedirects, to a URL storageURLProblem accepts
// after the hop before it (never https to plain http).
func followable(req *http.Request, via []*http.Request, allowInsecure bool) bool {
	if req.Response == nil || len(via) == 0 || len(via) > maxRedirects {
		return false
	}
	if s := req.Response.StatusCode; s != http.StatusTemporaryRedirect && s != http.StatusPermanentRedirect {
		return false
	}
	return redirectProblem(via[len(via)-1].URL, req.URL, allowInsecure) == ""
}

// storageURLProblem says why a signed URL may not be sent to, "" if it
// may: it must be https, or plain http to a loopback host (tests, the
// demo), or plain http anywhere when allowInsecure is set.
func storageURLProblem(u *url.URL, allowInsecure bool) string {
	switch {
	case u.Scheme == "https":
		return ""
	case u.Scheme != "http":
		return fmt.Sprintf("scheme %q is not supported", u.Scheme)
	case allowInsecure || odailies.IsLoopbackHost(u.Hostname()):
		return ""
	}
	return "plain http to " + u.Hostname() + " would send the file and its signature unencrypted"
}

// redirectProblem is storageURLProblem for a redirect from prev to next,
// which may never go from https to plain http on a non-loopback host,
// allowInsecure or not.
func redirectProblem(prev, next *url.URL, allowInsecure bool) string {
	return storageURLProblem(next, allowInsecure && prev.Scheme == "http")
}

// checkSignedURL refuses, before any byte is sent, a signed URL the
// uploader may not use; the error is permanent for the job.
func (u *Uploader) checkSignedURL(raw string) error {
	p, err := url.Parse(raw)
	if err != nil || !p.IsAbs() || p.Host == "" {
		return errors.New("the signed URL is not an absolute URL")
	}
	if why := storageURLProblem(p, u.o.AllowInsecureStorage); why != "" {
		return fmt.Errorf("refusing the signed URL %s: %s", redact.URL(raw), why)
	}
	return nil
}

// redirectError is a PUT answered with a redirect that was not followed.
// It is permanent: waiting does not change where a storage endpoint
// sends uploads, and every retry would cost a PUT for the same answer.
type redirectError struct {
	status int
	to     string // the Location, resolved and redacted; "" if none
	why    string
}

func (e *redirectError) Error() string {
	to := "without a Location"
	if e.to != "" {
		to = "to " + e.to
	}
	return fmt.Sprintf("the storage redirected the upload (%d %s): %s; check the storage endpoint", e.status, to, e.why)
}

// newRedirectError explains why resp, a 3xx, ended the PUT after hops
// requests.
func newRedirectError(resp *http.Response, hops int, allowInsecure bool) error {
	e := &redirectError{status: resp.StatusCode, why: "a signed URL must not redirect"}
	loc, err := resp.Location()
	if err != nil {
		return e
	}
	e.to = redact.URL(loc.String())
	if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
		return e
	}
	if resp.Request == nil || resp.Request.URL == nil {
		return e
	}
	switch why := redirectProblem(resp.Request.URL, loc, allowInsecure); {
	case why != "":
		e.why = "refused, " + why
	case hops > maxRedirects:
		e.why = fmt.Sprintf("stopped after %d redirects", maxRedirects)
	}
	return e
}

// isPermanentPut reports PUT errors that no retry can fix.
func isPermanentPut(err error) bool {
	var re *redirectError
	return errors.As(err, &re)
}
