package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"sync"
	"time"
)

// HandlerFunc answers one operation. req is the request body (JSON; "{}"
// when the client sent none). The answer is encoded as JSON; a nil answer
// is "{}". An error wrapping ErrBadRequest is answered 400, any other 500,
// with the error's text.
type HandlerFunc func(ctx context.Context, req json.RawMessage) (any, error)

// ServerOptions configures a Server. The zero value is usable.
type ServerOptions struct {
	// Version is the daemon's version, reported by GET /v1/hello.
	Version string
	// Logger gets refusals, failed operations and shutdown; nil discards.
	Logger *slog.Logger
	// AllowUID says whether a peer's uid may send requests. nil: root and
	// the daemon's own user (behaviour 16). Tests inject it; the refusal
	// text always states the default rule. Not consulted on Windows.
	AllowUID func(uid int) bool
}

// Server answers control requests on a Unix socket. Register operations
// with Handle, then call Run once.
type Server struct {
	path  string
	o     ServerOptions
	log   *slog.Logger
	allow func(int) bool
	rule  string
	grace time.Duration // how long Run waits for requests in flight at the stop
	ready chan struct{} // closed once the socket listens (for tests)
	once  sync.Once

	mu  sync.RWMutex
	ops map[string]HandlerFunc
	err error // the first bad Handle call, returned by Run
}

// shutdownGrace bounds how long a stop waits for requests in flight.
const shutdownGrace = 2 * time.Second

// probeTimeout bounds the check for a daemon already on the socket.
const probeTimeout = 2 * time.Second

// maxRequest bounds a request body.
const maxRequest = 16 << 20

// NewServer returns a server for the socket at path, normally
// <state.dir>/control.sock. It does not touch the file system until Run.
func NewServer(path string, o ServerOptions) *Server {
	s := &Server{
		path: path, o: o, log: o.Logger, allow: o.AllowUID,
		rule: ruleText(os.Getuid()), grace: shutdownGrace,
		ready: make(chan struct{}), ops: make(map[string]HandlerFunc),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.allow == nil {
		s.allow = defaultAllow
	}
	return s
}

var opName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Handle makes op (lower-case letters, digits and '-', like "retry")
// answer POST /v1/<op> with h. A later Handle of the same op replaces the
// earlier. A bad name, or "hello", is a wiring mistake: Run reports it.
func (s *Server) Handle(op string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !opName.MatchString(op) || op == "hello" || h == nil {
		if s.err == nil {
			s.err = fmt.Errorf("control: cannot handle operation %q: want a lower-case name other than \"hello\" and a handler", op)
		}
		return
	}
	s.ops[op] = h
}

// handler is op's handler, or nil.
func (s *Server) handler(op string) HandlerFunc {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ops[op]
}

// Run listens on the socket and answers requests until ctx ends, then
// stops within a couple of seconds (handlers see ctx cancelled) and
// removes the socket. It returns nil after such a stop; an error wrapping
// ErrInUse if another daemon answers on the socket; other errors when the
// socket cannot be made or serving fails.
func (s *Server) Run(ctx context.Context) error {
	s.mu.RLock()
	err := s.err
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	ln, err := s.listen()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ConnContext:       s.connContext,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("control socket listening", "path", s.path)
	s.once.Do(func() { close(s.ready) })
	select {
	case err := <-served:
		return fmt.Errorf("serve the control socket %s: %w", s.path, err)
	case <-ctx.Done():
	}
	return s.stop(srv, served)
}

// stop shuts srv down, waiting at most s.grace for requests in flight,
// and waits for Serve to return. Closing the listener removes the socket.
func (s *Server) stop(srv *http.Server, served <-chan error) error {
	sctx, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("control requests cut at the stop", "err", err)
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve the control socket %s: %w", s.path, err)
	}
	return nil
}

// listen makes the socket: the path checked, a stale file removed, the
// mode set to 0600 whatever the umask.
func (s *Server) listen() (net.Listener, error) {
	if err := checkSocketPath(s.path); err != nil {
		return nil, err
	}
	if err := s.removeStale(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", s.path)
	if err != nil {
		return nil, fmt.Errorf("listen on the control socket: %w", err)
	}
	// The peer check is the real gate (root ignores modes), but 0600 keeps
	// other users from even connecting. Between Listen and Chmod the mode
	// is the umask's; the peer check covers that instant.
	if err := chmodSocket(s.path); err != nil {
		ln.Close()
		return nil, fmt.Errorf("set the control socket's mode: %w", err)
	}
	return ln, nil
}

// removeStale removes a socket file left by a daemon that was killed, and
// only that: a socket somebody answers on means another daemon runs, and
// a file that is not a socket is left for a person to look at.
func (s *Server) removeStale() error {
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the control socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket: move it out of state.dir", s.path)
	}
	c, err := net.DialTimeout("unix", s.path, probeTimeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("%w: a daemon answers on %s (stop it, or give this one another state.dir)", ErrInUse, s.path)
	}
	if !isRefused(err) {
		return fmt.Errorf("cannot tell whether another daemon answers on %s: %w", s.path, err)
	}
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the stale control socket: %w", err)
	}
	s.log.Info("stale control socket removed", "path", s.path)
	return nil
}

// chmodSocket makes the socket 0600. On Windows the mode means nothing
// (the state folder's ACL decides), so it is left alone.
func chmodSocket(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	return os.Chmod(path, 0o600)
}
