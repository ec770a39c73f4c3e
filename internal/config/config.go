// Package config turns the TOML config file into a typed, defaulted and
// validated Config: per-OS default paths, paths resolved against the
// config's folder, sizes, rates and durations, exactly one token source.
// It is the one place a key is spelled (Keys; a test checks
// config.example.toml against it, every key present and every default
// equal). Every problem is an *Error naming the file, and the key and line
// to fix; commands exit 2 on one. A config names one show ([api] and
// [watch]) or several ([[watch]] tables), each a Show in Config.Shows
// (shows.go: the forms, the defaults, what is refused).
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/uploader"
)

// Config is the loaded, defaulted and validated configuration. Every path in
// it is absolute (relative paths in the file are resolved against the
// config file's folder).
type Config struct {
	Path string // absolute path of the config file

	// Shows are the shows to upload, one or more, in the file's order
	// (shows.go). API and Watch are the first one's.
	Shows []Show

	API     APIConfig
	Watch   WatchConfig
	Upload  UploadConfig
	State   StateConfig
	Log     LogConfig
	UI      UIConfig
	Notify  []NotifyConfig // the [[notify]] tables, in the file's order
	Service ServiceConfig
}

// APIConfig is the [api] table: where to sign uploads and as whom.
type APIConfig struct {
	BaseURL     string // absolute, without a trailing slash
	ProjectID   string
	Token       string // never print: use redactToken
	TokenSource string // "api.token", "api.token_file (PATH)" or "ODAILIES_TOKEN"
}

// WatchConfig is the [watch] table: which folders to watch and when a file
// counts as finished.
type WatchConfig struct {
	Root          string
	Dirs          []string // relative to Root, "/"-separated, no ".." and never absolute
	Settle        time.Duration
	Rescan        time.Duration
	Poll          bool
	PollInterval  time.Duration
	Include       []string // path.Match globs
	Exclude       []string // path.Match globs
	OpenWriterMax time.Duration
	// AfterUpload is what happens to a file once its upload is done and
	// verified: AfterUploadKeep, AfterUploadMove or AfterUploadDelete.
	// AfterUploadDir is where a move puts it (absolute; outside every
	// watched folder when AfterUpload is AfterUploadMove).
	AfterUpload    string
	AfterUploadDir string
}

// UploadConfig is the [upload] table: the worker pool and its retries.
type UploadConfig struct {
	Workers      int
	Priority     []string
	Bandwidth    int64 // bytes per second; 0 is unlimited
	RetryMin     time.Duration
	RetryMax     time.Duration
	StallTimeout time.Duration
	Headers      map[string]string
	// AllowInsecureStorage lets uploads go to plain-http signed URLs on
	// hosts that are not loopback.
	AllowInsecureStorage bool
	// Verify is upload.verify: uploader.VerifyMD5 (Content-MD5 on every
	// PUT, the ETag compared) or uploader.VerifyNone.
	Verify string

	// BandwidthSchedule is upload.bandwidth_schedule, nil when empty;
	// never set with Bandwidth.
	BandwidthSchedule *uploader.Schedule
}

// StateConfig is the [state] table.
type StateConfig struct {
	Dir string
}

// LogConfig is the [log] table: the status log and its rotation.
type LogConfig struct {
	File        string // "-" is stderr
	Level       slog.Level
	StatusEvery time.Duration
	MaxSize     int64 // bytes before the log is rotated
	Keep        int   // rotated logs kept
}

// ServiceConfig is the [service] table: the system service definition.
type ServiceConfig struct {
	Name        string
	DisplayName string
	Description string
	User        string
}

// Error is a problem in the config file or its environment, something a
// person fixes in the config or on the machine: commands exit 2 on one.
type Error struct{ err error }

// Errorf returns an *Error with the formatted text; %w wraps as usual.
func Errorf(format string, args ...any) error { return &Error{fmt.Errorf(format, args...)} }

// Wrap returns err as an *Error (nil stays nil).
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &Error{err}
}

func (e *Error) Error() string { return e.err.Error() }
func (e *Error) Unwrap() error { return e.err }

// maxConfigSize bounds what Load reads: a config is a few kilobytes.
const maxConfigSize = 1 << 20

// Load reads, defaults and validates the config at path. Warnings are
// things a person should fix that do not stop the daemon (a token file
// readable by others, a watched folder that is not there yet). Every error
// is a *Error naming the file, and the key or line to fix.
func Load(path string, getenv func(string) string) (cfg *Config, warnings []string, err error) {
	l, err := newLoader(path, getenv)
	if err != nil {
		return nil, nil, err
	}
	raw, watches, err := l.decode()
	if err != nil {
		return nil, nil, err
	}
	cfg = l.build(raw, watches)
	if len(l.errs) > 0 {
		return nil, nil, &Error{errors.Join(l.errs...)}
	}
	return cfg, l.warnings, nil
}

// loader holds what one Load call needs to explain itself.
type loader struct {
	path     string // absolute path of the config file
	dir      string // its folder: the base of relative paths
	data     string // its text
	getenv   func(string) string
	errs     []error
	warnings []string

	serviceUser string // service.user as written, for warnReadable

	// show is the [[watch]] table being built in the several-shows form,
	// so errors about watch.* keys name it and its line; nil otherwise.
	show *showPlace

	// defaultToken is the [api] token, read once, for shows without one
	// of their own (shows.go).
	defaultToken *[2]string
}

// newLoader reads the config file.
func newLoader(path string, getenv func(string) string) (*loader, error) {
	if path == "" {
		return nil, &Error{errors.New("no config file given: pass -config FILE")}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{fmt.Errorf("config %s: %w", path, err)}
	}
	data, err := readConfigFile(abs)
	if err != nil {
		return nil, err
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return &loader{path: abs, dir: filepath.Dir(abs), data: data, getenv: getenv}, nil
}

// readConfigFile reads the file, refusing folders and oversized files.
func readConfigFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &Error{fmt.Errorf("read config: %w (create it from config.example.toml, or pass -config FILE)", err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return "", &Error{fmt.Errorf("read config %s: %w", path, err)}
	}
	if len(data) > maxConfigSize {
		return "", &Error{fmt.Errorf("config %s: larger than %s: is this the right file?", path, units.Exact(maxConfigSize))}
	}
	return string(data), nil
}

// errf records a problem with key, naming the file and, when the key is
// set in it, its line.
func (l *loader) errf(key, format string, args ...any) {
	line, label := definedLine(l.data, key), key
	if l.show != nil && strings.HasPrefix(key, "watch.") {
		line, label = l.show.place(l.data, key)
	}
	prefix := fmt.Sprintf("config %s: %s%s: ", l.path, lineLabel(line), label)
	l.errs = append(l.errs, fmt.Errorf(prefix+format, args...))
}

// warnf records a warning sentence.
func (l *loader) warnf(format string, args ...any) {
	l.warnings = append(l.warnings, fmt.Sprintf(format, args...))
}

// decode parses the TOML over the defaults, and returns every table but
// the watch ones, and the shows: the one [watch] table, or each [[watch]].
// Syntax errors, unknown keys and values of the wrong type or form stop
// here, each with its line.
func (l *loader) decode() (*rawCommon, []rawWatch, error) {
	var tree map[string]any
	md, err := toml.Decode(l.data, &tree)
	if err != nil {
		return nil, nil, l.tomlError("syntax error: ", err)
	}
	if err := unknownKeys(l.data, md); err != nil {
		return nil, nil, &Error{fmt.Errorf("config %s: %w", l.path, err)}
	}
	raw := defaultRaw()
	var watches []rawWatch
	if _, several := tree["watch"].([]map[string]any); several {
		common, ws, err := l.decodeShows(raw.rawCommon)
		if err != nil {
			return nil, nil, err
		}
		raw.rawCommon, watches, md = common.rawCommon, ws, common.md
	} else {
		md, err = toml.Decode(l.data, raw)
		if err != nil {
			return nil, nil, l.tomlError("", err)
		}
		watches = []rawWatch{raw.Watch}
	}
	// Keys and rawConfig must agree; a key only one of them knows
	// must not be silently ignored.
	for _, k := range md.Undecoded() {
		if !retiredKey(k.String()) {
			return nil, nil, &Error{fmt.Errorf("config %s: %sunknown key %q", l.path, lineLabel(keyLine(l.data, k)), k.String())}
		}
	}
	l.warnRetired()
	return &raw.rawCommon, watches, nil
}

// tomlError turns a decoder error into a Error with the line and key.
func (l *loader) tomlError(what string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		return &Error{fmt.Errorf("config %s: %s%s", l.path, what, msg)}
	}
	key := ""
	if what == "" && pe.LastKey != "" {
		key = pe.LastKey + ": "
	}
	msg := pe.Message
	if lineMentionsToken(l.data, pe.Position.Line) {
		msg = quotedText.ReplaceAllString(msg, `"…"`)
	}
	return &Error{fmt.Errorf("config %s: %s%s%s%s", l.path, lineLabel(pe.Position.Line), key, what, msg)}
}

// quotedText matches the quoted excerpts the TOML decoder puts in its
// messages ("expected value but found \"abc\" instead").
var quotedText = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'`)

// lineMentionsToken reports whether line n of data (from 1) is about the
// token: a syntax error there may quote the token itself, as with an
// unquoted token = abc123.
func lineMentionsToken(data string, n int) bool {
	lines := strings.Split(data, "\n")
	return n >= 1 && n <= len(lines) && strings.Contains(strings.ToLower(lines[n-1]), "token")
}
