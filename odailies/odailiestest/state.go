package odailiestest

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// kind is a class of request that Requests counts.
type kind int

const (
	kindSign kind = iota
	kindPut
	kindClipsGet
	kindClipsPatch
	kindBadDigest // PUTs refused because their body did not match Content-MD5
	numKinds
)

// kindOf maps a Requests name to its kind.
func kindOf(name string) (kind, bool) {
	switch name {
	case "sign":
		return kindSign, true
	case "put":
		return kindPut, true
	case "clips-get":
		return kindClipsGet, true
	case "clips-patch":
		return kindClipsPatch, true
	case "bad-digest":
		return kindBadDigest, true
	}
	return 0, false
}

// fault is a pending injected failure: the next n requests answer status.
type fault struct {
	n          int
	status     int
	retryAfter time.Duration
}

// take uses up one failure, if any is left.
func (f *fault) take() (fault, bool) {
	if f.n <= 0 {
		return fault{}, false
	}
	f.n--
	return *f, true
}

// state is what the knobs change and what inspection reads.
type state struct {
	mu         sync.Mutex
	lifetime   time.Duration
	latency    time.Duration
	wrapped    bool
	skew       time.Duration
	failSign   fault
	failPut    fault
	signed     []string
	clips      map[string]odailies.Clip
	putHeaders map[string]http.Header
	revoked    map[string]bool // tokens Revoke took back
}

func (st *state) init(lifetime time.Duration) {
	st.lifetime = defaultURLLifetime
	if lifetime != 0 {
		st.lifetime = lifetime
	}
	st.clips = map[string]odailies.Clip{}
	st.putHeaders = map[string]http.Header{}
	st.revoked = map[string]bool{}
}

// Revoke takes token back, in every project: from now on it gets 401, as
// a token deleted in the project's settings does.
func (s *Server) Revoke(token string) { s.st.locked(func() { s.st.revoked[token] = true }) }

// Restore gives a revoked token back: from now on it works as before, as
// a token an admin re-issued does.
func (s *Server) Restore(token string) { s.st.locked(func() { delete(s.st.revoked, token) }) }

// locked runs f with the state locked.
func (st *state) locked(f func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	f()
}

func (st *state) clockSkew() (d time.Duration) {
	st.locked(func() { d = st.skew })
	return d
}

// FailSign makes the next n sign requests answer status, before any other
// check, with a Retry-After of whole seconds when retryAfter > 0.
func (s *Server) FailSign(n int, status int, retryAfter time.Duration) {
	s.st.locked(func() { s.st.failSign = fault{n: n, status: status, retryAfter: retryAfter} })
}

// FailPut makes the next n PUTs to the built-in storage answer status
// without reading their bodies.
func (s *Server) FailPut(n int, status int) {
	s.st.locked(func() { s.st.failPut = fault{n: n, status: status} })
}

// SetLatency delays each API answer (not storage answers) by d.
func (s *Server) SetLatency(d time.Duration) { s.st.locked(func() { s.st.latency = d }) }

// SetURLLifetime sets the lifetime of URLs issued from now on; 0 restores
// 15m, and a negative d issues URLs that have already expired.
func (s *Server) SetURLLifetime(d time.Duration) {
	if d == 0 {
		d = defaultURLLifetime
	}
	s.st.locked(func() { s.st.lifetime = d })
}

// SetWrapped makes sign answers {"data":{…}} (true) or bare (false, the
// default).
func (s *Server) SetWrapped(on bool) { s.st.locked(func() { s.st.wrapped = on }) }

// SetClockSkew runs the server's clock d ahead of the local one (behind
// when negative): Date headers, expiresAt and the storage's expiry check
// all use it.
func (s *Server) SetClockSkew(d time.Duration) { s.st.locked(func() { s.st.skew = d }) }

// Requests counts the requests of one kind received so far, failed ones
// included: "sign", "put" (built-in storage), "clips-get", "clips-patch",
// and "bad-digest": PUTs refused with BadDigest (counted in "put" too).
// Other names count 0.
func (s *Server) Requests(name string) int {
	k, ok := kindOf(name)
	if !ok {
		return 0
	}
	return int(s.counts[k].Load())
}

// SignedPaths lists the decoded relative paths a URL was issued for, in
// order, repeats included.
func (s *Server) SignedPaths() (p []string) {
	s.st.locked(func() { p = slices.Clone(s.st.signed) })
	return p
}

// Clips returns a copy of the clip store.
func (s *Server) Clips() (c map[string]odailies.Clip) {
	s.st.locked(func() { c = copyClips(s.st.clips) })
	return c
}

// SetClips replaces the clip store with a copy of c.
func (s *Server) SetClips(c map[string]odailies.Clip) {
	c = copyClips(c)
	s.st.locked(func() { s.st.clips = c })
}

// PutHeader returns the request headers of the last PUT stored at rel, so
// tests can check what an uploader sends (no Content-Type, for one).
func (s *Server) PutHeader(rel string) (h http.Header, ok bool) {
	s.st.locked(func() { h, ok = s.st.putHeaders[rel] })
	return h.Clone(), ok
}

// copyClips copies the map and each clip; values are JSON scalars.
func copyClips(c map[string]odailies.Clip) map[string]odailies.Clip {
	out := make(map[string]odailies.Clip, len(c))
	for name, clip := range c {
		out[name] = maps.Clone(clip)
	}
	return out
}
