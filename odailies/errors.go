package odailies

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// ErrProtocol wraps answers the client cannot understand (bad JSON, a
// missing or unparsable field).
var ErrProtocol = errors.New("protocol error")

// apiError is an HTTP answer outside 2xx, from the API or from storage.
// Its message never contains the token or a signed URL's query.
type apiError struct {
	op         string        // "sign _graded/a.mov", "PUT _graded/a.mov", "get clips"
	status     int           // HTTP status code
	body       string        // a short, single-line excerpt of the body
	retryAfter time.Duration // from Retry-After, 0 if absent
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.op, e.status, http.StatusText(e.status))
	if e.body != "" {
		msg += ": " + e.body
	}
	return msg
}

// bodyExcerptMax bounds the body text kept in an error.
const bodyExcerptMax = 200

// ResponseError builds the error for a non-2xx response, reading at most a
// short excerpt of its body. op names the operation in the message and must
// not contain secrets. now is used to turn an HTTP-date Retry-After into a
// duration. It does not close the body; the caller does.
func ResponseError(op string, resp *http.Response, now time.Time) error {
	return responseError(op, resp, now, nil)
}

// responseError is ResponseError with the body text redacted before it is
// cut to an excerpt, so a token the server echoes never shows in part.
func responseError(op string, resp *http.Response, now time.Time, r *redact.Redactor) error {
	buf := make([]byte, 4096)
	n, _ := readAtMost(resp, buf)
	text := string(buf[:n])
	if n == len(buf) {
		text = r.Cut(text)
	} else {
		text = r.String(text)
	}
	return &apiError{
		op:         op,
		status:     resp.StatusCode,
		body:       excerpt(text),
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
}

// protocolError reports an answer the client cannot use; detail must not
// contain secrets.
func protocolError(op, detail string) error {
	return fmt.Errorf("%s: %w: %s", op, ErrProtocol, detail)
}

// readAtMost fills buf from the body as far as it goes.
func readAtMost(resp *http.Response, buf []byte) (int, error) {
	if resp.Body == nil {
		return 0, nil
	}
	return io.ReadFull(resp.Body, buf)
}

// excerpt squeezes whitespace so the text fits on one log line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if len(s) > bodyExcerptMax {
		cut := bodyExcerptMax
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSecs = math.MaxInt64 / int64(time.Second)
		return time.Duration(min(max(secs, 0), maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// StatusCode is the HTTP status of an API or storage error, 0 otherwise.
func StatusCode(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// RetryAfter is the wait the server asked for, and whether it asked.
func RetryAfter(err error) (time.Duration, bool) {
	var e *apiError
	if errors.As(err, &e) && e.retryAfter > 0 {
		return e.retryAfter, true
	}
	return 0, false
}

// IsAuth reports a 401 or 403: the token is unknown or lacks the flag the
// call needs (on signing), or storage refused the signed URL (on PUT).
func IsAuth(err error) bool {
	s := StatusCode(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

// IsNotFound reports a 404: on the API, an unknown project or route.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsSlowDown reports 429, or 503 with Retry-After.
func IsSlowDown(err error) bool {
	s := StatusCode(err)
	_, ra := RetryAfter(err)
	return s == http.StatusTooManyRequests || (s == http.StatusServiceUnavailable && ra)
}

// IsTransient reports errors worth retrying with backoff: anything that is
// not an HTTP answer (network errors, timeouts, cut bodies), 5xx, 408 and
// 429. Protocol errors are transient too: a proxy's error page is the
// usual cause. A path refused by EscapePath (ErrBadPath) is not.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrBadPath) {
		return false
	}
	s := StatusCode(err)
	switch {
	case s == 0:
		return true
	case s >= 500, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	}
	return false
}
