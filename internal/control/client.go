package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds a call when ClientOptions.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// maxAnswer bounds an answer read into memory.
const maxAnswer = 256 << 20

// ClientOptions configures a Client. The zero value is usable.
type ClientOptions struct {
	// Timeout bounds each call, connecting included; 0: DefaultTimeout.
	Timeout time.Duration
	// Log is where the daemon logs (log.file), named in the error when it
	// does not answer in time; "": "its log".
	Log string
}

// Client sends requests to the daemon listening on one socket. It creates
// nothing on disk: a command run as root leaves nothing behind that the
// service user could not use.
type Client struct {
	path string
	o    ClientOptions
	hc   *http.Client
}

// Dial returns a client for the socket at path. It does no I/O; each call
// connects anew (no connection is kept, so there is nothing to close).
func Dial(path string, o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Log == "" {
		o.Log = "its log"
	}
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return nil, &dialError{err}
		}
		return c, nil
	}
	// No Proxy: HTTP_PROXY must not send local requests elsewhere.
	t := &http.Transport{DialContext: dial, DisableKeepAlives: true}
	return &Client{path: path, o: o, hc: &http.Client{Transport: t}}
}

// dialError marks a failure to connect, as opposed to one mid-request.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// Call sends op's request (JSON-encoded; nil sends "{}") and decodes the
// answer into ans (nil ignores it). Errors wrap ErrNotRunning when no
// daemon listens, ErrVersionMismatch when it speaks another API version,
// ErrBadRequest when it refused the request as wrong, and
// context.DeadlineExceeded when it did not answer within the timeout.
func (c *Client) Call(ctx context.Context, op string, req, ans any) error {
	body := []byte("{}")
	if req != nil {
		var err error
		if body, err = json.Marshal(req); err != nil {
			return fmt.Errorf("%s: encode the request: %w", op, err)
		}
	}
	status, data, err := c.do(ctx, http.MethodPost, "/v1/"+op, body)
	if err != nil {
		return err
	}
	if status == http.StatusNotFound {
		// An unknown route: a daemon of another API version says so in
		// its hello, which every version answers.
		if _, herr := c.Hello(ctx); errors.Is(herr, ErrVersionMismatch) {
			return herr
		}
	}
	if status/100 != 2 {
		return answerError(op, status, data)
	}
	if ans == nil {
		return nil
	}
	if err := json.Unmarshal(data, ans); err != nil {
		return fmt.Errorf("%s: read the daemon's answer: %w", op, err)
	}
	return nil
}

// Hello asks who is listening. It returns an error wrapping
// ErrVersionMismatch, with the answer, when the daemon speaks another API
// version.
func (c *Client) Hello(ctx context.Context) (Hello, error) {
	status, data, err := c.do(ctx, http.MethodGet, "/v1/hello", nil)
	if err != nil {
		return Hello{}, err
	}
	if status != http.StatusOK {
		return Hello{}, answerError("hello", status, data)
	}
	var h Hello
	if err := json.Unmarshal(data, &h); err != nil || h.API == 0 {
		return Hello{}, fmt.Errorf("hello: something answers on %s, but not as an odailies-uploader daemon", c.path)
	}
	if h.API != APIVersion {
		return h, &versionError{daemon: h.API}
	}
	return h, nil
}

// do sends one request and reads the whole answer, within the timeout.
func (c *Client) do(ctx context.Context, method, route string, body []byte) (int, []byte, error) {
	if err := checkSocketPath(c.path); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
	}
	cctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(cctx, method, "http://odailies-uploader"+route, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("make the request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, c.failure(ctx, cctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, c.failure(ctx, cctx, err)
	}
	return resp.StatusCode, data, nil
}

// failure explains a request that got no answer.
func (c *Client) failure(ctx, cctx context.Context, err error) error {
	var de *dialError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("talk to the running daemon: %w", ctx.Err())
	case cctx.Err() != nil:
		return fmt.Errorf("the running daemon did not answer within %s (is it stuck? see %s): %w",
			c.o.Timeout, c.o.Log, context.DeadlineExceeded)
	case errors.As(err, &de):
		return c.dialFailure(de.err)
	}
	return fmt.Errorf("talk to the running daemon on %s: %w", c.path, err)
}

// dialFailure explains a connect that failed.
func (c *Client) dialFailure(err error) error {
	if isRefused(err) || errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("connect to %s: %w", c.path, ErrNotRunning)
	}
	if _, serr := os.Lstat(c.path); errors.Is(serr, fs.ErrNotExist) {
		return fmt.Errorf("connect to %s: %w", c.path, ErrNotRunning)
	}
	if errors.Is(err, syscall.EAGAIN) {
		// Linux: the listen backlog is full; nobody accepts.
		return fmt.Errorf("the running daemon does not accept connections on %s (is it stuck? see %s): %w", c.path, c.o.Log, err)
	}
	if isDenied(err) {
		var se *os.SyscallError
		if errors.As(err, &se) {
			err = se.Err // the path is said once
		}
		how := "run the command with sudo"
		if runtime.GOOS == "windows" {
			how = "run the command from an elevated prompt"
		}
		return fmt.Errorf("connect to %s: %w: only root and the daemon's service user may talk to it: %s", c.path, err, how)
	}
	return fmt.Errorf("connect to the running daemon on %s: %w", c.path, err)
}

// answerError turns an error answer into an error carrying its text.
func answerError(op string, status int, data []byte) error {
	var ea errorAnswer
	if err := json.Unmarshal(data, &ea); err != nil || ea.Error == "" {
		text := strings.TrimSpace(string(data))
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		ea.Error = fmt.Sprintf("unexpected answer %d %s %q", status, http.StatusText(status), text)
	}
	return &remoteError{op: op, status: status, msg: ea.Error}
}
