package odailiestest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/odailies/odailies-uploader/odailies"
)

// decodePatch reads a PATCH body {"data":[{"name":…, …}]}, numbers kept
// as json.Number.
func decodePatch(r io.Reader) ([]odailies.Clip, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var req struct {
		Data []odailies.Clip `json:"data"`
	}
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("body is not {\"data\":[…]}: %w", err)
	}
	if req.Data == nil {
		return nil, errors.New(`body has no "data" list`)
	}
	for i, it := range req.Data {
		if name, ok := it["name"].(string); !ok || name == "" {
			return nil, fmt.Errorf("item %d has no name", i)
		}
	}
	return req.Data, nil
}

// writeJSON answers v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	s.logAnswer(r, status)
}

// apiError answers {"error":msg}; msg never holds the token.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.writeJSON(w, r, status, map[string]string{"error": msg})
}

// storageError answers an S3-like XML error.
func (s *Server) storageError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, msg)
	s.logAnswer(r, status)
}

// logAnswer logs one request without its path, which may hold the token
// or a signature.
func (s *Server) logAnswer(r *http.Request, status int) {
	s.log.Debug("request", "method", r.Method, "status", status)
}
