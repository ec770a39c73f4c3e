package uploader

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// storage is a signed-URL storage on httptest: it keeps what it gets,
// counts PUTs and lets a test answer instead.
type storage struct {
	srv     *httptest.Server
	puts    atomic.Int64
	mu      sync.Mutex
	objects map[string][]byte
	headers map[string]http.Header
	// hook, when set, sees every PUT first (n counts from 1) and answers
	// it if it returns true.
	hook func(w http.ResponseWriter, r *http.Request, n int64) bool
	// etag, when set, is the ETag header of the 2xx to PUT n of a body
	// whose MD5 is sum ("" sends none); nil answers `"<sum>"`, as S3 does.
	etag func(n int64, sum string) string
}

func newStorage(t *testing.T, hook func(http.ResponseWriter, *http.Request, int64) bool) *storage {
	s := &storage{objects: map[string][]byte{}, headers: map[string]http.Header{}, hook: hook}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *storage) serve(w http.ResponseWriter, r *http.Request) {
	n := s.puts.Add(1)
	if r.Method != http.MethodPut {
		http.Error(w, "PUT only", http.StatusMethodNotAllowed)
		return
	}
	if s.hook != nil && s.hook(w, r, n) {
		return
	}
	if len(r.TransferEncoding) > 0 {
		http.Error(w, "chunked bodies are refused", http.StatusLengthRequired)
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil || int64(len(data)) != r.ContentLength {
		http.Error(w, "short body", http.StatusBadRequest)
		return
	}
	sum := md5.Sum(data)
	if code := digestCheck(r.Header, sum); code != "" {
		storageXML(w, http.StatusBadRequest, code)
		return
	}
	s.mu.Lock()
	s.objects[r.URL.Path] = data
	s.headers[r.URL.Path] = r.Header.Clone()
	s.mu.Unlock()
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	if s.etag != nil {
		etag = s.etag(n, hex.EncodeToString(sum[:]))
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
}

// digestCheck checks a Content-MD5 header as S3 does: "" when it is
// absent or matches sum, else the XML error code to answer.
func digestCheck(h http.Header, sum [md5.Size]byte) string {
	v, ok := h["Content-Md5"]
	if !ok {
		return ""
	}
	got, err := base64.StdEncoding.DecodeString(v[0])
	switch {
	case len(v) != 1 || err != nil || len(got) != md5.Size:
		return "InvalidDigest"
	case !bytes.Equal(got, sum[:]):
		return "BadDigest"
	}
	return ""
}

// storageXML answers an S3-style XML error.
func storageXML(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>"+code+"</Code><Message>digest</Message></Error>\n")
}

func (s *storage) object(rel string) ([]byte, http.Header, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.objects["/"+rel]
	return d, s.headers["/"+rel], ok
}

// urlFor is where the stub signer sends rel's bytes; the query stands for
// a signature that must never be logged.
func (s *storage) urlFor(rel string) string {
	return s.srv.URL + "/" + (&url.URL{Path: rel}).EscapedPath() + "?sig=TOPSECRET&X-Amz-Signature=" + fakeSignature
}

// fakeSignature stands for a signature storage may quote in its errors.
const fakeSignature = "5f05981438367354794a46b6abdf4fc1"

// stubSigner signs with a function field and counts calls.
type stubSigner struct {
	calls atomic.Int64
	sign  func(ctx context.Context, rel string, n int64) (odailies.SignedURL, error)
}

func (s *stubSigner) SignUpload(ctx context.Context, rel string) (odailies.SignedURL, error) {
	return s.sign(ctx, rel, s.calls.Add(1))
}

// signFor signs URLs of st that live for life.
func signFor(st *storage, life time.Duration) *stubSigner {
	return &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		return odailies.SignedURL{URL: st.urlFor(rel), ExpiresAt: time.Now().Add(life)}, nil
	}}
}

// apiErr is the error the odailies client returns for an HTTP answer.
func apiErr(status int, retryAfter string) error {
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("nope"))}
	if retryAfter != "" {
		resp.Header.Set("Retry-After", retryAfter)
	}
	return odailies.ResponseError("sign x", resp, time.Now())
}

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }
