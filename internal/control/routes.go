package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// Hello is the answer of GET /v1/hello: who is listening.
type Hello struct {
	API     int    `json:"api"`     // the control API version (APIVersion)
	Version string `json:"version"` // the daemon's version
	PID     int    `json:"pid"`     // the daemon's process id
	UID     int    `json:"uid"`     // the user it runs as (-1 on Windows)
}

// errorAnswer is the body of every answer that is not a 2xx.
type errorAnswer struct {
	Error string `json:"error"`
}

// serveHTTP routes one request: the peer check, then GET /v1/hello or
// POST /v1/<op>. Unexported: the peer check needs Run's
// connection hook, so it is served nowhere else.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if msg := refusal(r.Context()); msg != "" {
		writeError(w, http.StatusForbidden, msg)
		return
	}
	op, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok || op == "" || strings.Contains(op, "/") {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route %s: this daemon (version %s) speaks control API v%d, under /v1/",
			r.URL.Path, s.o.Version, APIVersion))
		return
	}
	if op == "hello" {
		if !allowMethod(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, Hello{API: APIVersion, Version: s.o.Version, PID: os.Getpid(), UID: os.Getuid()})
		return
	}
	h := s.handler(op)
	if h == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown operation %q: this daemon (version %s) does not know it; "+
			"run the same version, or restart the service after an upgrade", op, s.o.Version))
		return
	}
	if allowMethod(w, r, http.MethodPost) {
		s.serveOp(w, r, op, h)
	}
}

// allowMethod answers 405 unless r uses method.
func allowMethod(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method))
	return false
}

// serveOp reads the request body, calls h and answers with its result.
func (s *Server) serveOp(w http.ResponseWriter, r *http.Request, op string, h HandlerFunc) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request over %d bytes", tooBig.Limit))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("read the request: %v", err))
		return
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		writeError(w, http.StatusBadRequest, "the request body is not JSON")
		return
	}
	ans, err := h(r.Context(), body)
	if err != nil {
		status, msg := s.failure(r.Context(), op, err)
		writeError(w, status, msg)
		return
	}
	s.log.Debug("control request answered", "op", op)
	writeJSON(w, http.StatusOK, ans)
}

// failure maps a handler's error to an HTTP status and text, logging
// the daemon's own failures.
func (s *Server) failure(ctx context.Context, op string, err error) (int, string) {
	switch {
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest, err.Error()
	case ctx.Err() != nil:
		return http.StatusServiceUnavailable, "the daemon is stopping: " + err.Error()
	}
	s.log.Warn("control request failed", "op", op, "err", err)
	return http.StatusInternalServerError, err.Error()
}

// writeJSON answers v as JSON; nil is "{}".
func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		v = struct{}{}
	}
	data, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("encode the answer: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

// writeError answers {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	data, _ := json.Marshal(errorAnswer{Error: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}
