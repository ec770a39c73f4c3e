package dashboard

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
)

// securityHeaders are on every answer: the page loads nothing but its
// own embedded files, cannot be framed, and its types are not guessed.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " +
		"base-uri 'none'; form-action 'none'",
	"X-Frame-Options":        "DENY",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "no-referrer",
	"Cache-Control":          "no-store",
}

// CSRFHeader carries the page's CSRF token on every POST.
const CSRFHeader = "X-CSRF-Token"

// guard wraps next with the checks of doc.go "Security", in order: the
// Host header (DNS rebinding), the password, then for a change the
// Origin and the CSRF token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		if !s.hostAllowed(r.Host) {
			s.log.Warn("dashboard request refused: foreign Host header (DNS rebinding?)", "host", r.Host, "remote", r.RemoteAddr)
			http.Error(w, "this dashboard answers only to http://"+s.Addr()+"/ or http://localhost:PORT/: the Host header "+
				"names another site (421 Misdirected Request)", http.StatusMisdirectedRequest)
			return
		}
		if s.o.Password != "" && !s.passwordOK(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="odailies-uploader dashboard", charset="UTF-8"`)
			http.Error(w, "the dashboard needs the password in ui.password_file", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if msg := s.changeRefused(r); msg != "" {
				s.log.Warn("dashboard change refused", "why", msg, "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
				http.Error(w, msg, http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// changeRefused says why a state-changing request is refused, or "": it
// must come from the dashboard's own page (same origin) and carry its
// CSRF token.
func (s *Server) changeRefused(r *http.Request) string {
	origin := r.Header.Get("Origin")
	switch {
	case origin != "" && origin != "http://"+r.Host:
		return "refused: the request comes from another site (Origin " + origin + "); changes are made from the dashboard's own page"
	case origin == "" && r.Header.Get("Sec-Fetch-Site") != "same-origin":
		return "refused: a change needs a same-origin request (Origin or Sec-Fetch-Site: same-origin) from the dashboard's page"
	}
	got := r.Header.Get(CSRFHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
		return "refused: missing or wrong " + CSRFHeader + " (reload the dashboard: the daemon restarted)"
	}
	return ""
}

// passwordOK checks HTTP Basic's password (any user name) in constant
// time, over digests so the length does not show either.
func (s *Server) passwordOK(r *http.Request) bool {
	_, pw, ok := r.BasicAuth()
	a, b := sha256.Sum256([]byte(pw)), sha256.Sum256([]byte(s.o.Password))
	return ok && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// hostAllowed reports whether a request's Host names this dashboard: the
// port it listens on, with localhost, a loopback address, or the listen
// host. Listening on every address (0.0.0.0, ::), any IP address and
// this machine's own name are accepted too: a DNS rebinding attack needs
// a name the attacker controls, never an IP literal.
func (s *Server) hostAllowed(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	_, lport, _ := net.SplitHostPort(s.Addr())
	if port != lport {
		return false
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "localhost" {
		return true
	}
	ip, ipErr := netip.ParseAddr(strings.Trim(h, "[]"))
	if ipErr == nil && ip.IsLoopback() {
		return true
	}
	lhost, _, _ := net.SplitHostPort(s.o.Listen)
	lhost = strings.ToLower(strings.Trim(lhost, "[]"))
	if lhost == strings.Trim(h, "[]") {
		return true
	}
	if la, err := netip.ParseAddr(lhost); lhost == "" || err == nil && la.IsUnspecified() {
		if ipErr == nil {
			return true
		}
		name, err := os.Hostname()
		name = strings.ToLower(name)
		return err == nil && (h == name || h == name+".local" || strings.HasPrefix(name, h+"."))
	}
	return false
}
