package uploader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// expectAbove is the body size from which PUTs ask for 100-continue, so a
// refused URL costs a round trip instead of the whole body.
const expectAbove = 1 << 20

// errStopping is the cause of the work context's end when StopGrace ran out.
var errStopping = errors.New("the uploader is stopping")

// put sends the file's bytes to one signed URL, with sum as Content-MD5
// (nil: none, VerifyNone). It returns what the answer proved on a 2xx
// that answered the whole body (see sendState) and whose ETag, if a plain
// MD5, is sum; an odailies error carrying the status for other answers, a
// *damageError for bytes the storage received damaged (BadDigest,
// InvalidDigest, another MD5 as ETag), a *redirectError for a redirect
// it did not follow, an *earlyAnswerError for a 2xx that came too soon,
// and a wrapped network error (errStalled when the watchdog cut it)
// otherwise.
func (u *Uploader) put(ctx context.Context, job queue.Job, f *os.File, su odailies.SignedURL, prog *progress, sum *digest, mem *memBody) (queue.Delivery, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	dog := startWatchdog(u.o.StallTimeout, cancel)
	defer dog.stop()
	state := &sendState{prog: prog, size: job.Size}
	if mem != nil {
		defer func() {
			if !state.writtenOnce() {
				mem.inUse() // a write of it may still be going
			}
		}()
		state.wrote = func() {
			// The transport wrote the whole body (membody.go).
			prog.sent.Store(job.Size)
			u.stats.total.Add(job.Size)
			dog.touch()
		}
	}
	req, err := u.newRequest(withSendState(ctx, state), su.URL, f, job.Size, prog, dog, mem)
	if err != nil {
		return queue.Delivery{}, fmt.Errorf("PUT %s: %w", job.Path, scrubURL(err, su.URL))
	}
	if sum != nil {
		// Not signed, and needs not be: a SigV4 presigned URL accepts it
		// (API.md). A 307/308 hop carries it too (net/http copies it).
		req.Header.Set("Content-MD5", sum.contentMD5())
	}
	if req.GetBody != nil {
		req.GetBody = reopenable(state, req.GetBody)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		if dog.fired.Load() {
			return queue.Delivery{}, fmt.Errorf("PUT %s: %w: no byte sent for %s", job.Path, errStalled, fmtDur(u.o.StallTimeout))
		}
		return queue.Delivery{}, fmt.Errorf("PUT %s: %w", job.Path, scrubURL(err, su.URL))
	}
	defer resp.Body.Close()
	dog.touch()
	d, err := u.answer(ctx, resp, state, job, su.URL, sum)
	var early *earlyAnswerError
	if errors.As(err, &early) {
		// A 2xx before the whole body: the transport may still write the
		// rest into socket buffers, count the request as sent and pool
		// its connection, which such storage (a broken proxy) never
		// reads again; the next PUT on it would hang until the stall
		// watchdog (TestEarlyAnswerIsNotUpload). One pooled connection
		// cannot be closed alone, so the idle ones go. Any other answer
		// before the whole body (a 403 to Expect: 100-continue) needs
		// nothing: the transport pools a connection only once its body
		// was written whole, and the other idle ones stay in use
		// (TestRefusalKeepsIdleConnections).
		resp.Body.Close()
		u.client.CloseIdleConnections()
	}
	return d, err
}

// answer sorts the final answer to a PUT: a 2xx that answered the whole
// body gives its delivery (or a *damageError, see delivery), a redirect
// that was not followed a *redirectError, a BadDigest or InvalidDigest a
// *damageError, any other status the odailies error for it.
func (u *Uploader) answer(ctx context.Context, resp *http.Response, state *sendState, job queue.Job, signed string, sum *digest) (queue.Delivery, error) {
	switch resp.StatusCode / 100 {
	case 2:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close() // before settle: a write still going is cut
		if err := state.settle(ctx); err != nil {
			return queue.Delivery{}, fmt.Errorf("PUT %s: %w", job.Path, err)
		}
		return delivery(resp.Header, sum, job.Path)
	case 3:
		_, hops := state.last()
		return queue.Delivery{}, fmt.Errorf("PUT %s: %w", job.Path, newRedirectError(resp, hops, u.o.AllowInsecureStorage))
	}
	build := func() error {
		err := scrubQuery(odailies.ResponseError("PUT "+job.Path, resp, u.o.Now()), signed)
		if resp.Request != nil && resp.Request.URL.String() != signed {
			err = scrubQuery(err, resp.Request.URL.String()) // where a 307 led
		}
		return err
	}
	if err := digestRefusal(resp, build); err != nil {
		return queue.Delivery{}, err
	}
	return queue.Delivery{}, build()
}

// newRequest builds the PUT: exact Content-Length, never chunked, and no
// header beyond User-Agent, Options.Headers and Expect (put adds
// Content-MD5).
func (u *Uploader) newRequest(ctx context.Context, rawURL string, f *os.File, size int64, prog *progress, dog *watchdog, mem *memBody) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Body = http.NoBody
	switch {
	case mem != nil:
		// The file's bytes, read just now (membody.go); each re-send
		// starts again from the first.
		req.Body = mem.reader()
		req.GetBody = func() (io.ReadCloser, error) {
			prog.gen.Add(1)
			prog.sent.Store(0)
			return mem.reader(), nil
		}
	case size > 0:
		// A body reader, also for each re-send (a 307/308, a retry by
		// the transport): it starts again from the file's first byte.
		req.Body = u.newBody(ctx, f, size, prog, dog)
		req.GetBody = func() (io.ReadCloser, error) { return u.newBody(ctx, f, size, prog, dog), nil }
	}
	req.Header.Set("User-Agent", u.o.UserAgent)
	for k, v := range u.o.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if size > expectAbove {
		req.Header.Set("Expect", "100-continue")
	}
	return req, nil
}

// reopenable wraps getBody for the transport (a 307/308 or a retry of a
// request it never wrote): each new body is noted in the PUT's trace.
func reopenable(state *sendState, getBody func() (io.ReadCloser, error)) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		state.newBody()
		return getBody()
	}
}

// scrubURL takes the signed URL out of an error: net/http quotes the whole
// request URL, query signature included, in its errors.
func scrubURL(err error, signed string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact.URL(ue.URL)
	}
	if signed != "" && strings.Contains(err.Error(), signed) {
		return errors.New(strings.ReplaceAll(err.Error(), signed, redact.URL(signed)))
	}
	return err
}

// minSecretLen is the length from which a query value of a signed URL is
// treated as a secret (signatures, credentials, tokens) and kept out of
// error text; shorter ones (an algorithm name, an expiry) are harmless.
const minSecretLen = 16

// scrubQuery keeps the signed URL's query values out of err's text:
// storage error bodies may quote the signature they refused. The result
// still unwraps to err, so its status stays visible to the predicates.
func scrubQuery(err error, signed string) error {
	p, perr := url.Parse(signed)
	if perr != nil {
		return err
	}
	msg := err.Error()
	for _, vals := range p.Query() {
		for _, v := range vals {
			if len(v) >= minSecretLen && strings.Contains(msg, v) {
				msg = strings.ReplaceAll(msg, v, "…")
			}
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
