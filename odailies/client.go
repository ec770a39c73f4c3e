package odailies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
)

// Options configure a Client. BaseURL, ProjectID and Token are required;
// the zero value of every other field has the default its comment gives.
type Options struct {
	// BaseURL is the API root, e.g. https://odailies.com/api/v1. Plain
	// http is accepted only for loopback hosts (tests, the demo sandbox).
	BaseURL   string
	ProjectID string
	// Token is secret: it travels as a path segment and is redacted from
	// every error the client returns.
	Token string
	// HTTPClient makes the requests. nil: a client with dial and TLS
	// handshake timeouts of 10s, a response header timeout of 30s, 60s
	// for a whole API call, and the proxy from the environment.
	HTTPClient *http.Client
	// UserAgent, when set, is sent on every request.
	UserAgent string
	// Now is the local clock; nil means time.Now.
	Now func() time.Time
}

// Client calls the oDailies v1 API. It is safe for concurrent use.
type Client struct {
	base    string // BaseURL without a trailing slash
	project string // escaped path segment
	token   string // escaped path segment; secret
	hc      *http.Client
	ua      string
	now     func() time.Time
	secrets *redact.Redactor
}

// Timeouts of the default HTTP client.
const (
	dialTimeout     = 10 * time.Second
	tlsTimeout      = 10 * time.Second
	headerTimeout   = 30 * time.Second
	apiCallTimeout  = 60 * time.Second
	idleConnTimeout = 90 * time.Second
	maxIdlePerHost  = 64 // upload.workers allows up to 64 signing at once
)

// New checks o and returns a client. It makes no request.
func New(o Options) (*Client, error) {
	base, err := CheckBaseURL(o.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new client: base URL %w", err)
	}
	if why := identityProblem(o.ProjectID); why != "" {
		return nil, fmt.Errorf("new client: project id %s", why)
	}
	if why := identityProblem(o.Token); why != "" {
		return nil, fmt.Errorf("new client: token %s", why) // never the token itself
	}
	c := &Client{
		base: base, project: escapeSegment(o.ProjectID), token: escapeSegment(o.Token),
		hc: o.HTTPClient, ua: o.UserAgent, now: o.Now, secrets: redact.New(o.Token),
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// identityProblem says why a project id or token cannot be a path
// segment, "" if it can.
func identityProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	if s == "." || s == ".." {
		return "is a dot segment"
	}
	return ""
}

// DefaultBaseURL is the production API.
const DefaultBaseURL = "https://odailies.com/api/v1"

// CheckBaseURL is the one check of an API base URL: absolute, https unless
// the host is loopback (tests, the demo sandbox), no userinfo, query or
// fragment. It returns the base without surrounding space or a trailing
// slash, or why it is refused; errors show the URL redacted.
func CheckBaseURL(raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(s)
	shown := redact.URL(s)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("%q is not an absolute URL: use e.g. %q", shown, DefaultBaseURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%q must not hold a user, query or fragment: use e.g. %q", shown, DefaultBaseURL)
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopbackHost(u.Hostname()):
	case u.Scheme == "http":
		return "", fmt.Errorf("plain http to %s would send the token unencrypted: use https (http is only for loopback)", u.Hostname())
	default:
		return "", fmt.Errorf("scheme %q is not supported: use https", u.Scheme)
	}
	return s, nil
}

// IsLoopbackHost reports "localhost" or a loopback IP address.
func IsLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func defaultHTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   tlsTimeout,
		ResponseHeaderTimeout: headerTimeout,
		IdleConnTimeout:       idleConnTimeout,
		// Uploads sign from several workers at once: over HTTP/1.1 the
		// default of 2 idle connections per host would close the others
		// after each burst and dial (and TLS handshake) again.
		MaxIdleConnsPerHost: maxIdlePerHost,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr, Timeout: apiCallTimeout, CheckRedirect: checkRedirect}
}

// checkRedirect refuses redirects that would carry the token in a URL to
// plain http on a host that is not loopback, and long redirect chains.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" && !IsLoopbackHost(req.URL.Hostname()) {
		return errors.New("refused redirect to plain http")
	}
	return nil
}

// endpoint is the URL {base}/{route}/{project}/{token}, followed by
// "/"+tail when tail, already escaped, is not empty.
func (c *Client) endpoint(route, tail string) string {
	u := c.base + "/" + route + "/" + c.project + "/" + c.token
	if tail != "" {
		u += "/" + tail
	}
	return u
}

// answer is a 2xx response, read in full.
type answer struct {
	body   []byte
	header http.Header
	at     time.Time // local clock when the headers arrived
}

// call makes one request and returns its 2xx answer, reading at most max
// bytes of body. Any other status is an apiError; every error is redacted.
func (c *Client) call(ctx context.Context, op, method, u string, body []byte, max int64) (answer, error) {
	resp, err := c.send(ctx, method, u, body)
	if err != nil {
		return answer{}, fmt.Errorf("%s: %w", op, err)
	}
	defer closeBody(resp)
	at := c.now()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answer{}, responseError(op, resp, at, c.secrets)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return answer{}, fmt.Errorf("%s: read answer: %w", op, c.scrub(err))
	}
	if int64(len(b)) > max {
		return answer{}, protocolError(op, fmt.Sprintf("answer is larger than %d bytes", max))
	}
	return answer{body: b, header: resp.Header, at: at}, nil
}

// send makes the request; its errors carry the redacted URL.
func (c *Client) send(ctx context.Context, method, u string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, c.scrub(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.scrub(err)
	}
	return resp, nil
}

// closeBody drains a little of what is left, so the connection can be
// reused, and closes the body.
func closeBody(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}
