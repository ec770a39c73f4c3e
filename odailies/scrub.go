package odailies

import "net/url"

// scrub makes err safe to show. net/http's *url.Error quotes the request
// URL, which holds the token: it is copied with that URL redacted. If the
// text still holds a secret, err is wrapped in a redactedError.
func (c *Client) scrub(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		cp := *ue
		cp.URL = c.Redact(ue.URL)
		err = &cp
	}
	if msg := err.Error(); c.Redact(msg) != msg {
		return &redactedError{msg: c.Redact(msg), err: err}
	}
	return err
}

// redactedError shows a redacted message for an error whose own text held
// a secret. It unwraps to that error so errors.Is and the predicates still
// work; do not print what Unwrap returns.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
