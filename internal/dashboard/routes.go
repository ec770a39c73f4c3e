package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// page is index.html with the CSRF token filled in.
var page = template.Must(template.ParseFS(assets, "assets/index.html"))

// maxBody bounds a POST body: a list of paths to retry.
const maxBody = 1 << 20

func (s *Server) routes() {
	static, _ := fs.Sub(assets, "assets")
	files := http.FileServerFS(static)
	s.mux.HandleFunc("GET /{$}", s.servePage)
	s.mux.Handle("GET /app.js", files)
	s.mux.Handle("GET /style.css", files)
	s.mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) { s.writeJSON(w, http.StatusOK, s.state()) })
	s.mux.HandleFunc("POST /api/retry", s.serveRetry)
	s.mux.HandleFunc("GET /api/why", s.serveWhy)
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	if err := page.Execute(&b, struct{ CSRF, Version string }{s.csrf, s.o.Version}); err != nil {
		http.Error(w, "render the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(s.o.Redactor.String(b.String())))
}

// retryRequest is POST /api/retry's body: a show's failed files (Paths
// empty: all of them; Show "": every show's).
type retryRequest struct {
	Show  string   `json:"show"`
	Paths []string `json:"paths"`
}

type retryAnswer struct {
	Requeued int `json:"requeued"`
}

func (s *Server) serveRetry(w http.ResponseWriter, r *http.Request) {
	var req retryRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "the retry request is not {\"show\":…,\"paths\":[…]}: "+err.Error())
		return
	}
	n, err := s.src.Retry(r.Context(), req.Show, req.Paths)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "retry: "+err.Error())
		return
	}
	s.log.Info("failed uploads put back in the queue from the dashboard", "files", n, "show", req.Show)
	s.mu.Lock()
	s.cached = nil // the next look shows them queued
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, retryAnswer{Requeued: n})
}

func (s *Server) serveWhy(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSpace(r.URL.Query().Get("path"))
	switch {
	case path == "":
		s.writeError(w, http.StatusBadRequest, "give a path: a file under a watched folder, e.g. _graded/A001C001.mov")
		return
	case s.o.Why == nil:
		s.writeError(w, http.StatusNotImplemented, "this daemon cannot answer why yet")
		return
	}
	ans, err := s.o.Why(r.Context(), path)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, ans)
}

// writeJSON answers v as JSON, redacted: no token, no URL query.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "&" stays "&", so a URL's query is found and cut
	if err := enc.Encode(v); err != nil {
		code, b = http.StatusInternalServerError, bytes.Buffer{}
		json.NewEncoder(&b).Encode(errorAnswer{Error: "encode the answer: " + err.Error()})
	}
	out := s.o.Redactor.String(b.String())
	if !json.Valid([]byte(out)) {
		code, out = http.StatusInternalServerError, `{"error":"the answer could not be redacted safely"}`+"\n"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	io.WriteString(w, out)
}

type errorAnswer struct {
	Error string `json:"error"`
}

func (s *Server) writeError(w http.ResponseWriter, code int, msg string) {
	s.writeJSON(w, code, errorAnswer{Error: msg})
}
