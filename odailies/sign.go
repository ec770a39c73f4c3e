package odailies

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// signAnswerMax bounds a sign answer; a real one is a few hundred bytes.
const signAnswerMax = 1 << 20

// SignUpload asks for a signed URL to PUT the file at rel, a path relative
// to the watch root ("_graded/A001C001.mov"). The answer may be bare or
// wrapped in {"data":…}; unknown fields are ignored. Skew comes from the
// answer's Date header. A non-2xx answer is an error for the predicates in
// errors.go; an answer without a usable url or expiresAt wraps ErrProtocol.
func (c *Client) SignUpload(ctx context.Context, rel string) (SignedURL, error) {
	s, err := c.signUpload(ctx, rel)
	return s, c.scrub(err)
}

func (c *Client) signUpload(ctx context.Context, rel string) (SignedURL, error) {
	esc, err := EscapePath(rel)
	if err != nil {
		return SignedURL{}, fmt.Errorf("sign: %w", err)
	}
	op := "sign " + rel
	a, err := c.call(ctx, op, http.MethodGet, c.endpoint("upload", esc), nil, signAnswerMax)
	if err != nil {
		return SignedURL{}, err
	}
	s, err := decodeSign(op, a.body)
	if err != nil {
		return SignedURL{}, err
	}
	s.Skew = skew(a.header.Get("Date"), a.at)
	return s, nil
}

// signFields are the parts of a sign answer this client reads. Data holds
// the same fields when the answer is wrapped.
type signFields struct {
	URL       json.RawMessage `json:"url"`
	ExpiresAt json.RawMessage `json:"expiresAt"`
	Data      json.RawMessage `json:"data"`
}

// decodeSign reads a bare or wrapped sign answer.
func decodeSign(op string, body []byte) (SignedURL, error) {
	var f signFields
	if err := json.Unmarshal(body, &f); err != nil {
		return SignedURL{}, protocolError(op, "answer is not a JSON object: "+excerpt(string(body)))
	}
	if f.URL == nil && f.ExpiresAt == nil && f.Data != nil {
		if err := json.Unmarshal(f.Data, &f); err != nil {
			return SignedURL{}, protocolError(op, `field "data" is not an object`)
		}
	}
	u, err := signedURLField(op, f.URL)
	if err != nil {
		return SignedURL{}, err
	}
	exp, err := expiresField(op, f.ExpiresAt)
	if err != nil {
		return SignedURL{}, err
	}
	return SignedURL{URL: u, ExpiresAt: exp}, nil
}

// stringField decodes a required string field; name is for the message.
func stringField(op, name string, raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", protocolError(op, fmt.Sprintf("field %q is missing", name))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", protocolError(op, fmt.Sprintf("field %q is not a string", name))
	}
	if strings.TrimSpace(s) == "" {
		return "", protocolError(op, fmt.Sprintf("field %q is empty", name))
	}
	return s, nil
}

// signedURLField checks that url is an absolute http(s) URL. Its text is
// never put in an error unredacted.
func signedURLField(op string, raw json.RawMessage) (string, error) {
	s, err := stringField(op, "url", raw)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", protocolError(op, fmt.Sprintf("field %q is not an absolute http(s) URL: %s", "url", redact.URL(s)))
	}
	return s, nil
}

// expiresLayouts are the ISO 8601 forms accepted for expiresAt; the last
// has no zone and is read as UTC, as the API promises UTC.
var expiresLayouts = [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"}

func expiresField(op string, raw json.RawMessage) (time.Time, error) {
	s, err := stringField(op, "expiresAt", raw)
	if err != nil {
		return time.Time{}, err
	}
	for _, layout := range expiresLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, protocolError(op, fmt.Sprintf("field %q is not an ISO 8601 time: %q", "expiresAt", excerpt(s)))
}

// skew is the server's clock minus the local one, from a Date header read
// at local time at. The header has one-second resolution, so differences
// under a second are noise and count as 0; a missing or bad header is 0.
func skew(date string, at time.Time) time.Duration {
	t, err := http.ParseTime(date)
	if err != nil {
		return 0
	}
	d := t.Sub(at)
	if d > -time.Second && d < time.Second {
		return 0
	}
	return d
}
