package odailiestest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// Route prefixes. The storage lives beside the API on the same listener.
const (
	apiPrefix     = "/api/v1"
	storagePrefix = "/storage/"
	patchBodyMax  = 8 << 20
)

// serve routes on the escaped path, so that escaped slashes and dot
// segments are seen as the client sent them.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.setDate(w)
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, storagePrefix):
		s.servePut(w, r, p[len(storagePrefix):])
	case strings.HasPrefix(p, apiPrefix+"/"):
		s.serveAPI(w, r, p[len(apiPrefix)+1:])
	default:
		s.apiError(w, r, http.StatusNotFound, "no such route")
	}
}

// call is one API request, split into its parts.
type call struct {
	route, project, token string
	tail                  []string // unescaped segments after the token
}

// serveAPI handles /api/v1/{route}/{project}/{token}[/{path…}].
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	segs, err := unescapeSegments(rest)
	if err != nil {
		s.apiError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if len(segs) < 3 {
		s.apiError(w, r, http.StatusNotFound, "no such route")
		return
	}
	c := call{route: segs[0], project: segs[1], token: segs[2], tail: segs[3:]}
	switch {
	case c.route == "upload" && len(c.tail) > 0:
		s.routeMethod(w, r, c, map[string]kind{http.MethodGet: kindSign})
	case c.route == "clips" && len(c.tail) == 0:
		s.routeMethod(w, r, c, map[string]kind{http.MethodGet: kindClipsGet, http.MethodPatch: kindClipsPatch})
	default: // jobs and anything else are not v1 routes
		s.apiError(w, r, http.StatusNotFound, "no such route")
	}
}

// unescapeSegments splits an escaped path at its slashes and unescapes
// each segment on its own.
func unescapeSegments(p string) ([]string, error) {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, fmt.Errorf("bad escape in path segment %d", i+1)
		}
		segs[i] = u
	}
	return segs, nil
}

// routeMethod counts the request, waits the latency, and runs the
// handler for its method.
func (s *Server) routeMethod(w http.ResponseWriter, r *http.Request, c call, methods map[string]kind) {
	k, ok := methods[r.Method]
	if !ok {
		s.apiError(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	s.counts[k].Add(1)
	if !s.wait(r) {
		return
	}
	switch k {
	case kindSign:
		s.serveSign(w, r, c)
	case kindClipsGet:
		s.serveClipsGet(w, r, c)
	case kindClipsPatch:
		s.serveClipsPatch(w, r, c)
	}
}

// wait sleeps the configured latency; false if the request or the server
// ended first.
func (s *Server) wait(r *http.Request) bool {
	var d time.Duration
	s.st.locked(func() { d = s.st.latency })
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// authorize answers 404 for an unknown project, 401 for a token the
// project does not know or that was revoked, and 403 for a token without
// need; it reports whether the call may go on.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, c call, need Perm) bool {
	tokens, project := s.projects[c.project]
	perm, known := tokens[c.token]
	var revoked bool
	s.st.locked(func() { revoked = s.st.revoked[c.token] })
	switch {
	case !project:
		s.apiError(w, r, http.StatusNotFound, "unknown project")
	case !known || revoked:
		s.apiError(w, r, http.StatusUnauthorized, "unknown token")
	case perm&need == 0:
		s.apiError(w, r, http.StatusForbidden, "token lacks the "+need.String()+" permission")
	default:
		return true
	}
	return false
}

// String names the flags, e.g. "Read|Upload".
func (p Perm) String() string {
	var names []string
	for _, f := range []struct {
		p    Perm
		name string
	}{{Read, "Read"}, {Write, "Write"}, {Upload, "Upload"}} {
		if p&f.p != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// serveSign issues a URL for the path after the token.
func (s *Server) serveSign(w http.ResponseWriter, r *http.Request, c call) {
	var f fault
	var failing bool
	s.st.locked(func() { f, failing = s.st.failSign.take() })
	if failing {
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.retryAfter+time.Second-1)/time.Second)))
		}
		s.apiError(w, r, f.status, "injected failure")
		return
	}
	if !s.authorize(w, r, c, Upload) {
		return
	}
	rel, err := relPath(c.tail)
	if err != nil {
		s.apiError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if c.project != s.project {
		rel = ProjectDir(c.project) + "/" + rel
	}
	s.sign(w, r, rel)
}

// ProjectDir is the folder under Dir (and the storage key prefix) of the
// files of a project of Options.Projects; ProjectID's files are at the
// top.
func ProjectDir(project string) string { return "_project-" + url.PathEscape(project) }

// relPath joins decoded segments, refusing what a client must never send.
func relPath(segs []string) (string, error) {
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." || strings.Contains(seg, "/") {
			return "", fmt.Errorf("path segment %q is not allowed", seg)
		}
	}
	return strings.Join(segs, "/"), nil
}

// sign issues the URL and answers it bare or wrapped.
func (s *Server) sign(w http.ResponseWriter, r *http.Request, rel string) {
	var lifetime time.Duration
	var wrapped bool
	s.st.locked(func() { lifetime, wrapped = s.st.lifetime, s.st.wrapped })
	exp := s.now().Add(lifetime).Truncate(time.Second)
	u, err := s.issue(rel, exp, lifetime)
	if err != nil {
		s.apiError(w, r, http.StatusInternalServerError, "presign failed")
		s.log.Warn("presign failed", "path", rel, "err", err)
		return
	}
	s.st.locked(func() { s.st.signed = append(s.st.signed, rel) })
	var body any = map[string]string{"url": u, "expiresAt": exp.UTC().Format(time.RFC3339)}
	if wrapped {
		body = map[string]any{"data": body}
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

// issue makes the URL: from Presign, or for the built-in storage.
func (s *Server) issue(rel string, exp time.Time, lifetime time.Duration) (string, error) {
	if s.presign != nil {
		return s.presign(rel, lifetime)
	}
	return s.storageURL(rel, exp)
}

// serveClipsGet answers the store in the v1 shape.
func (s *Server) serveClipsGet(w http.ResponseWriter, r *http.Request, c call) {
	if s.authorize(w, r, c, Read) {
		s.writeJSON(w, r, http.StatusOK, map[string]any{"data": map[string]any{"message": s.Clips()}})
	}
}

// serveClipsPatch merges {"data":[…]} into the store; every item needs a
// name, and a bad item changes nothing.
func (s *Server) serveClipsPatch(w http.ResponseWriter, r *http.Request, c call) {
	if !s.authorize(w, r, c, Write) {
		return
	}
	items, err := decodePatch(http.MaxBytesReader(w, r.Body, patchBodyMax))
	if err != nil {
		s.apiError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.st.locked(func() { mergeClips(s.st.clips, items) })
	s.writeJSON(w, r, http.StatusOK, map[string]any{"data": map[string]any{"updated": len(items)}})
}

// mergeClips sets each item's fields on the stored clip of its name,
// creating the clip when it is new.
func mergeClips(store map[string]odailies.Clip, items []odailies.Clip) {
	for _, it := range items {
		name := it["name"].(string) // checked by decodePatch
		if store[name] == nil {
			store[name] = odailies.Clip{}
		}
		for k, v := range it {
			store[name][k] = v
		}
	}
}
