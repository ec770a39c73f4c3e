package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/status"
)

// Source is what the dashboard reads from the daemon, in-process. Every
// text it hands over may still hold a secret: the dashboard redacts
// every answer before it leaves.
type Source interface {
	// Status is the totals and every show's own document now; with one
	// show, shows holds one entry whose Name is "".
	Status(now time.Time) (total *status.Doc, shows []ShowStatus)
	// Recent is up to n of the show's latest uploads, newest first.
	Recent(show string, n int) ([]Upload, error)
	// Failures is up to n of the show's failed files, newest first.
	Failures(show string, n int) ([]Failure, error)
	// Retry puts the show's failed files back in the queue (paths
	// relative to its root; none: every failed file; show "": every
	// show) and says how many went back.
	Retry(ctx context.Context, show string, paths []string) (int, error)
}

// WhyFunc answers the search box: what the daemon knows of path and why
// it is or is not uploaded. The answer is sent as JSON.
type WhyFunc func(ctx context.Context, path string) (any, error)

// ShowStatus is one show's status document.
type ShowStatus struct {
	Name string // "" with a single show
	Doc  *status.Doc
}

// Upload is one finished upload, as the recent list shows it.
type Upload struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	At       time.Time `json:"at"`
	MD5      string    `json:"md5,omitempty"`
	Verified string    `json:"verified"` // as status.Verified keys it: md5+etag, md5, none, "" (unknown)
}

// Failure is one failed file.
type Failure struct {
	Path     string    `json:"path"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
	Attempts int       `json:"attempts"`
}

// Options configures a Server. Listen is required; the rest may be zero.
type Options struct {
	// Listen is ui.listen, host:port (port 0: any free port, for tests).
	Listen string
	// Password, when not empty, is asked for with HTTP Basic (any user
	// name) on every request (ui.password_file's content).
	Password string
	// Redactor removes the tokens from every answer; nil still cuts
	// every URL's query (a signed URL's signature).
	Redactor *redact.Redactor
	// Why answers the search box; nil: the box says the daemon cannot.
	Why WhyFunc
	// Version is shown in the page's footer.
	Version string
	// Logger gets the listener's start and refusals; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Server is the dashboard: one page and its JSON API on one listener,
// every request through the guard (doc.go, "Security"). Mount further
// handlers (the metrics) with Handle before Run.
type Server struct {
	src  Source
	o    Options
	log  *slog.Logger
	csrf string // per process, in the page; needed by every POST
	mux  *http.ServeMux

	mu      sync.Mutex
	addr    string // the address listened on, once Run has bound it
	hist    *history
	files   map[string]fileRate
	cached  *view
	cacheAt time.Time

	ready chan struct{} // closed when Run listens (tests)
	once  sync.Once
}

// New returns a dashboard reading src. It listens only in Run.
func New(src Source, o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	s := &Server{src: src, o: o, log: o.Logger, csrf: hex.EncodeToString(b), mux: http.NewServeMux(),
		hist: newHistory(historyStep, historyLen), files: map[string]fileRate{}, ready: make(chan struct{})}
	s.routes()
	return s
}

// Handle mounts h on pattern (http.ServeMux syntax, e.g. "GET /metrics")
// behind the same guard as the page: Host check, password, security
// headers, and for any method but GET and HEAD the CSRF token and a
// same-origin Origin. Call it before Run. A GET handler must not change
// state, and must not answer secrets: the guard does not redact it.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Handler is the guarded mux, as Run serves it; for tests with
// httptest. addr is the address clients are told to use (its port is
// what the Host check accepts).
func (s *Server) Handler(addr string) http.Handler {
	s.mu.Lock()
	s.addr = addr
	s.mu.Unlock()
	return s.guard(s.mux)
}

// Addr is the address Run listens on ("" before it does).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// ErrListen wraps a listener that cannot be opened (the port is taken,
// the address is not this machine's).
var ErrListen = errors.New("cannot listen")

// Run listens on Options.Listen and serves until ctx ends (nil then).
// It samples the throughput for the graph meanwhile. A listener that
// cannot be opened is an error wrapping ErrListen; Run may be called
// again after it returns.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.o.Listen)
	if err != nil {
		return fmt.Errorf("%w on %s: %w", ErrListen, s.o.Listen, err)
	}
	srv := &http.Server{Handler: s.Handler(ln.Addr().String()), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: time.Minute, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.log.Info("dashboard listening", "url", "http://"+ln.Addr().String()+"/")
	s.once.Do(func() { close(s.ready) })
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tick := time.NewTicker(historyStep)
	defer tick.Stop()
	s.sample()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			srv.Shutdown(sctx)
			<-done
			return nil
		case err := <-done:
			return fmt.Errorf("dashboard on %s: %w", ln.Addr(), err)
		case <-tick.C:
			s.sample()
		}
	}
}

// sample adds the current rates to the throughput history.
func (s *Server) sample() {
	now := s.o.Now()
	total, shows := s.src.Status(now)
	rates := make([]float64, len(shows))
	for i, sh := range shows {
		rates[i] = sh.Doc.Rate
	}
	s.mu.Lock()
	s.hist.add(now, total.Rate, rates)
	s.mu.Unlock()
}
