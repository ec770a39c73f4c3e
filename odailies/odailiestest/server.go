package odailiestest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Perm is a set of token flags.
type Perm uint8

// The three token flags of the oDailies API.
const (
	Read   Perm = 1 << iota // clips GET
	Write                   // clips PATCH
	Upload                  // upload signing
)

// Options configure a fake server. ProjectID is required; the zero value
// of every other field has the default its comment gives.
type Options struct {
	ProjectID string
	// Tokens maps each known token to its flags. Any other token gets
	// 401; a token without the flag a call needs gets 403.
	Tokens map[string]Perm
	// Projects are further projects, each with tokens of its own (a
	// token is known to its project only: another's is 401), as a lab's
	// several shows have. Their files are stored under Dir in the folder
	// ProjectDir names; ReceivedIn reads them.
	Projects map[string]map[string]Perm
	// Dir receives the files PUT to the built-in storage, under their
	// relative paths. It is created if missing. Empty: a temporary folder
	// that Close removes.
	Dir string
	// URLLifetime is how long issued URLs stay valid; 0 means 15m.
	URLLifetime time.Duration
	// MaxPutSize is the largest body the built-in storage takes; 0 means
	// 5 GiB, the S3 single-PUT limit. Larger bodies get 400 EntityTooLarge.
	MaxPutSize int64
	// Presign, when set, issues the URLs instead of the built-in storage,
	// for example for a real S3 server in end-to-end tests.
	Presign func(rel string, lifetime time.Duration) (url string, err error)
	// Logger gets a debug line per request and an info line per stored
	// file; nil discards. Tokens and signatures are never logged.
	Logger *slog.Logger
}

// Defaults for zero Options fields.
const (
	defaultURLLifetime = 15 * time.Minute
	defaultMaxPutSize  = 5 << 30
)

// Server is a running fake of the v1 API and its storage, on a loopback
// address. All its methods are safe for concurrent use.
type Server struct {
	project  string
	projects map[string]map[string]Perm // every project's tokens, ProjectID's included; never written after Start
	dir      string
	tempDir  bool // dir was made by Start and goes with Close
	maxPut   int64
	presign  func(string, time.Duration) (string, error)
	log      *slog.Logger
	key      []byte // HMAC key of the built-in storage
	ln       net.Listener
	srv      *http.Server
	root     string // http://host:port
	done     chan struct{}
	closing  sync.Once
	counts   [numKinds]atomic.Int64
	st       state
}

// Start listens on addr, which must be a loopback address such as
// "127.0.0.1:0", and serves until Close.
func Start(addr string, o Options) (*Server, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	if o.ProjectID == "" {
		return nil, errors.New("start fake API: empty project id")
	}
	s, err := newServer(o)
	if err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", addr); err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("start fake API: %w", err)
	}
	s.root = "http://" + s.ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	go func() { _ = s.srv.Serve(s.ln) }()
	return s, nil
}

// checkLoopback refuses an address whose host is not loopback; an empty
// host would listen on every interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("start fake API: address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("start fake API: address %q is not loopback", addr)
	}
	return nil
}

// newServer builds the server state from o, creating the storage folder.
func newServer(o Options) (*Server, error) {
	s := &Server{
		project: o.ProjectID, projects: map[string]map[string]Perm{}, dir: o.Dir,
		maxPut: o.MaxPutSize, presign: o.Presign, log: o.Logger,
		key: make([]byte, 32), done: make(chan struct{}),
	}
	for p, toks := range o.Projects {
		s.projects[p] = maps.Clone(toks)
	}
	s.projects[o.ProjectID] = maps.Clone(o.Tokens)
	if s.maxPut <= 0 {
		s.maxPut = defaultMaxPutSize
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.st.init(o.URLLifetime)
	_, _ = rand.Read(s.key) // never fails (crypto/rand documents it)
	return s, s.makeDir()
}

func (s *Server) makeDir() error {
	if s.dir == "" {
		d, err := os.MkdirTemp("", "odailiestest-")
		if err != nil {
			return fmt.Errorf("start fake API: storage folder: %w", err)
		}
		s.dir, s.tempDir = d, true
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("start fake API: storage folder: %w", err)
	}
	return nil
}

func (s *Server) removeTemp() {
	if s.tempDir {
		_ = os.RemoveAll(s.dir)
	}
}

// URL is the API base, e.g. http://127.0.0.1:PORT/api/v1.
func (s *Server) URL() string { return s.root + apiPrefix }

// Dir is the folder the built-in storage writes to.
func (s *Server) Dir() string { return s.dir }

// Close stops the server, cutting open connections, and removes the
// storage folder if Start made it.
func (s *Server) Close() error {
	var err error
	s.closing.Do(func() {
		close(s.done)
		err = s.srv.Close()
		s.removeTemp()
	})
	return err
}

// now is the server's clock, which runs SetClockSkew ahead of the local one.
func (s *Server) now() time.Time { return time.Now().Add(s.st.clockSkew()) }

// setDate puts the server's clock in the Date header.
func (s *Server) setDate(w http.ResponseWriter) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
}
