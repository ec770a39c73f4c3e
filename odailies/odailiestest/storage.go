package odailiestest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// storageURL signs a PUT of rel that is valid until exp.
func (s *Server) storageURL(rel string, exp time.Time) (string, error) {
	esc, err := odailies.EscapePath(rel)
	if err != nil {
		return "", err
	}
	expires := strconv.FormatInt(exp.Unix(), 10)
	return s.root + storagePrefix + esc + "?expires=" + expires + "&sig=" + s.signature(http.MethodPut, rel, expires), nil
}

// signature is the hex HMAC-SHA256 of method, decoded path and expiry.
func (s *Server) signature(method, rel, expires string) string {
	m := hmac.New(sha256.New, s.key)
	_, _ = io.WriteString(m, method+"\n"+rel+"\n"+expires)
	return hex.EncodeToString(m.Sum(nil))
}

// servePut checks a PUT to the built-in storage like S3 would, and stores
// its body under Dir when all of it arrived.
func (s *Server) servePut(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodPut {
		s.storageError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "only PUT is supported")
		return
	}
	s.counts[kindPut].Add(1)
	var f fault
	var failing bool
	s.st.locked(func() { f, failing = s.st.failPut.take() })
	if failing {
		s.storageError(w, r, f.status, "InjectedFault", "injected failure")
		return
	}
	rel, status, code, msg := s.checkPut(r, rest)
	if status != 0 {
		s.storageError(w, r, status, code, msg)
		return
	}
	s.receive(w, r, rel)
}

// checkPut returns the decoded path, or the refusal to answer: signature
// first, then expiry at the start of the request, then the body's length.
func (s *Server) checkPut(r *http.Request, rest string) (rel string, status int, code, msg string) {
	const forbidden = http.StatusForbidden
	segs, err := unescapeSegments(rest)
	if err == nil {
		rel, err = relPath(segs)
	}
	if err != nil {
		return "", http.StatusBadRequest, "InvalidURI", "bad object path"
	}
	q := r.URL.Query()
	expires := q.Get("expires")
	if !hmac.Equal([]byte(q.Get("sig")), []byte(s.signature(r.Method, rel, expires))) {
		return "", forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	if n, err := strconv.ParseInt(expires, 10, 64); err != nil || s.now().Unix() > n {
		return "", forbidden, "AccessDenied", "Request has expired"
	}
	switch {
	case len(r.TransferEncoding) > 0 || r.ContentLength < 0 || r.Header.Get("Content-Length") == "":
		return "", http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header."
	case r.ContentLength > s.maxPut:
		return "", http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
	}
	return rel, 0, "", ""
}

// receive stores the body and answers 200 with an MD5 ETag. A
// Content-MD5 header is checked as S3 checks it: one that is not the
// base64 of 16 bytes is 400 InvalidDigest, one that is not the MD5 of the
// body received is 400 BadDigest, and nothing is stored.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, rel string) {
	want, hasDigest, ok := contentMD5(r.Header)
	if !ok {
		s.storageError(w, r, http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		return
	}
	etag, err := s.store(rel, r.Body, r.ContentLength, func(sum string) bool { return !hasDigest || sum == want })
	if errors.Is(err, errIncomplete) {
		s.storageError(w, r, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	if errors.Is(err, errBadDigest) {
		s.counts[kindBadDigest].Add(1)
		s.storageError(w, r, http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		return
	}
	if err != nil {
		s.log.Warn("storing upload failed", "path", rel, "err", err)
		s.storageError(w, r, http.StatusInternalServerError, "InternalError", "could not store the object")
		return
	}
	h := r.Header.Clone()
	s.st.locked(func() { s.st.putHeaders[rel] = h })
	s.log.Info("stored upload", "path", rel, "bytes", r.ContentLength)
	w.Header().Set("ETag", `"`+etag+`"`)
	w.WriteHeader(http.StatusOK)
	s.logAnswer(r, http.StatusOK)
}

var (
	errIncomplete = errors.New("body shorter than Content-Length")
	errBadDigest  = errors.New("body does not match Content-MD5")
)

// contentMD5 reads a Content-MD5 header as hex: present says whether there
// is one, ok is false for one that is not the base64 of 16 bytes.
func contentMD5(h http.Header) (sum string, present, ok bool) {
	v, present := h["Content-Md5"]
	if !present {
		return "", false, true
	}
	b, err := base64.StdEncoding.DecodeString(v[0])
	if len(v) != 1 || err != nil || len(b) != md5.Size {
		return "", true, false
	}
	return hex.EncodeToString(b), true, true
}

// store streams body into a temporary file beside rel's place and renames
// it there only when exactly size bytes arrived and accept takes their
// MD5 (hex); a cut body or a refused digest stores nothing.
func (s *Server) store(rel string, body io.Reader, size int64, accept func(sum string) bool) (etag string, err error) {
	dst, err := s.localPath(rel)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	sum := md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if (err == nil && n != size) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "", errIncomplete
	}
	if err != nil {
		return "", err
	}
	etag = hex.EncodeToString(sum.Sum(nil))
	if !accept(etag) {
		return "", errBadDigest
	}
	return etag, os.Rename(tmp.Name(), dst)
}

// localPath is where rel is stored; it never leaves Dir.
func (s *Server) localPath(rel string) (string, error) {
	p := filepath.FromSlash(rel)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("path %q leaves the storage folder", rel)
	}
	return filepath.Join(s.dir, p), nil
}

// Received returns the bytes stored at rel by a complete PUT, and whether
// there are any.
func (s *Server) Received(rel string) ([]byte, bool) {
	return s.received(rel)
}

// ReceivedIn is Received for a file of project (Options.Projects, or
// ProjectID).
func (s *Server) ReceivedIn(project, rel string) ([]byte, bool) {
	if project != s.project {
		rel = ProjectDir(project) + "/" + rel
	}
	return s.received(rel)
}

func (s *Server) received(rel string) ([]byte, bool) {
	p, err := s.localPath(rel)
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	return b, true
}
