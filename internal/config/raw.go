package config

import (
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/odailies/odailies-uploader/internal/units"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/uploader"
	"github.com/odailies/odailies-uploader/watcher"
)

// rawConfig is the file as written, over the defaults: what the decoder
// fills before paths are resolved and values are checked.
type rawConfig struct {
	rawCommon
	Watch rawWatch `toml:"watch"`
}

// rawShows is a file of the several-shows form: [[watch]] tables, each
// decoded on its own over the defaults (shows.go).
type rawShows struct {
	rawCommon
	Watch []toml.Primitive `toml:"watch"`
}

// rawWatch is one show: the [watch] table, or one [[watch]] table. The
// keys after OpenWriterMax are the show's own; left empty, they take the
// [api] and [upload] values (shows.go).
type rawWatch struct {
	Root          string        `toml:"root"`
	Dirs          []string      `toml:"dirs"`
	Settle        durationValue `toml:"settle"`
	Rescan        durationValue `toml:"rescan"`
	Poll          bool          `toml:"poll"`
	PollInterval  durationValue `toml:"poll_interval"`
	Include       []string      `toml:"include"`
	Exclude       []string      `toml:"exclude"`
	OpenWriterMax durationValue `toml:"open_writer_max"`

	Name      string   `toml:"name"`
	ProjectID string   `toml:"project_id"`
	Token     string   `toml:"token"`
	TokenFile string   `toml:"token_file"`
	BaseURL   string   `toml:"base_url"`
	Priority  []string `toml:"priority"` // nil: upload.priority

	AfterUpload    string `toml:"after_upload"`
	AfterUploadDir string `toml:"after_upload_dir"`
}

// rawCommon is every table but the watch ones.
type rawCommon struct {
	API struct {
		BaseURL   string `toml:"base_url"`
		ProjectID string `toml:"project_id"`
		Token     string `toml:"token"`
		TokenFile string `toml:"token_file"`
	} `toml:"api"`
	Upload struct {
		Workers              int               `toml:"workers"`
		Priority             []string          `toml:"priority"`
		Bandwidth            rateValue         `toml:"bandwidth"`
		BandwidthSchedule    scheduleValue     `toml:"bandwidth_schedule"`
		RetryMin             durationValue     `toml:"retry_min"`
		RetryMax             durationValue     `toml:"retry_max"`
		StallTimeout         durationValue     `toml:"stall_timeout"`
		Headers              map[string]string `toml:"headers"`
		AllowInsecureStorage bool              `toml:"allow_insecure_storage"`
		Verify               string            `toml:"verify"`
	} `toml:"upload"`
	State struct {
		Dir string `toml:"dir"`
	} `toml:"state"`
	Log struct {
		File        string        `toml:"file"`
		Level       levelValue    `toml:"level"`
		StatusEvery durationValue `toml:"status_every"`
		MaxSize     sizeValue     `toml:"max_size"`
		Keep        int           `toml:"keep"`
	} `toml:"log"`
	UI struct {
		Listen       string `toml:"listen"`
		PasswordFile string `toml:"password_file"`
	} `toml:"ui"`
	Notify  []rawNotify `toml:"notify"`
	Service struct {
		Name        string `toml:"name"`
		DisplayName string `toml:"display_name"`
		Description string `toml:"description"`
		User        string `toml:"user"`
	} `toml:"service"`
}

// defaultRaw is a fresh rawConfig holding every default of
// config.example.toml (a test checks the two agree). Where a part has a
// default of its own, it is taken from there, so each is defined once. Fresh each time: the decoder writes into its slices.
func defaultRaw() *rawConfig {
	r := &rawConfig{}
	r.API.BaseURL = odailies.DefaultBaseURL
	r.Watch = defaultWatch()
	u := &r.Upload
	u.Workers = uploader.DefaultWorkers
	u.Priority = []string{"_thumbnails", "_graded"}
	u.RetryMin = durationValue(uploader.DefaultRetryMin)
	u.RetryMax = durationValue(uploader.DefaultRetryMax)
	u.StallTimeout = durationValue(uploader.DefaultStallTimeout)
	u.Verify = uploader.VerifyMD5
	r.Log.Level = levelValue(slog.LevelInfo)
	r.Log.StatusEvery = durationValue(time.Minute)
	r.Log.MaxSize = 20e6
	r.Log.Keep = 5
	r.UI.Listen = DefaultUIListen
	r.Service.Name = "odailies-uploader"
	r.Service.DisplayName = "oDailies uploader"
	r.Service.Description = "Uploads graded clips and thumbnails to oDailies"
	return r
}

// defaultWatch is a show's defaults; fresh each time, as defaultRaw.
func defaultWatch() rawWatch {
	var w rawWatch
	w.Dirs = []string{"_graded", "_thumbnails"}
	w.Settle = durationValue(5 * time.Second)
	w.Rescan = durationValue(watcher.DefaultRescan)
	w.PollInterval = durationValue(watcher.DefaultPollInterval)
	w.Exclude = []string{".*", "*.tmp", "*.part", "~*", "Thumbs.db", "desktop.ini"}
	w.OpenWriterMax = durationValue(watcher.DefaultOpenWriterMax)
	w.AfterUpload = AfterUploadKeep
	return w
}

// buildWatch checks a [watch] or [[watch]] table's tree and timing keys.
func (l *loader) buildWatch(rw rawWatch) WatchConfig {
	w := WatchConfig{
		Root:          l.checkRoot(rw.Root),
		Dirs:          l.checkDirs(rw.Dirs),
		Settle:        l.checkDuration("watch.settle", rw.Settle, 0),
		Rescan:        l.checkDuration("watch.rescan", rw.Rescan, time.Second),
		Poll:          rw.Poll,
		PollInterval:  l.checkDuration("watch.poll_interval", rw.PollInterval, 100*time.Millisecond),
		Include:       l.checkGlobs("watch.include", rw.Include),
		Exclude:       l.checkGlobs("watch.exclude", rw.Exclude),
		OpenWriterMax: l.checkDuration("watch.open_writer_max", rw.OpenWriterMax, time.Second),
	}
	l.checkFolders(w.Root, w.Dirs)
	l.buildAfterUpload(rw, &w)
	return w
}

// buildUpload checks the [upload] table.
func (l *loader) buildUpload(r *rawCommon, dirs []string) UploadConfig {
	u := UploadConfig{
		Workers:              r.Upload.Workers,
		Priority:             l.checkPriority("upload.priority", r.Upload.Priority, dirs),
		Bandwidth:            int64(r.Upload.Bandwidth),
		BandwidthSchedule:    r.Upload.BandwidthSchedule.s,
		RetryMin:             l.checkDuration("upload.retry_min", r.Upload.RetryMin, time.Millisecond),
		RetryMax:             l.checkDuration("upload.retry_max", r.Upload.RetryMax, time.Millisecond),
		StallTimeout:         l.checkDuration("upload.stall_timeout", r.Upload.StallTimeout, time.Second),
		Headers:              l.checkHeaders(r.Upload.Headers),
		AllowInsecureStorage: r.Upload.AllowInsecureStorage,
		Verify:               r.Upload.Verify,
	}
	if u.Verify != uploader.VerifyMD5 && u.Verify != uploader.VerifyNone {
		l.errf("upload.verify", "%q is not a verification: use %q (the default) or %q", u.Verify, uploader.VerifyMD5, uploader.VerifyNone)
	}
	if u.Workers < 1 || u.Workers > maxWorkers {
		l.errf("upload.workers", "%d is out of range: use 1 to %d", u.Workers, maxWorkers)
	}
	l.checkBandwidth(u)
	if u.RetryMin > u.RetryMax {
		l.errf("upload.retry_min", "%s is above upload.retry_max (%s): the first backoff cannot exceed the cap", Duration(u.RetryMin), Duration(u.RetryMax))
	}
	return u
}

// maxWorkers bounds upload.workers.
const maxWorkers = 64

// buildLog checks the [log] table.
func (l *loader) buildLog(r *rawCommon) LogConfig {
	lc := LogConfig{
		Level:       slog.Level(r.Log.Level),
		StatusEvery: l.checkDuration("log.status_every", r.Log.StatusEvery, time.Second),
		MaxSize:     int64(r.Log.MaxSize),
		Keep:        r.Log.Keep,
	}
	lc.File = "-"
	if r.Log.File != "-" {
		lc.File = l.buildPath("log.file", r.Log.File, defaultLogFile())
	}
	if lc.MaxSize < 1e6 {
		l.errf("log.max_size", "%s is too small: use at least \"1MB\"", units.Exact(lc.MaxSize))
	}
	if lc.Keep < 0 {
		l.errf("log.keep", "%d is negative: use 0 to keep no rotated logs", lc.Keep)
	}
	return lc
}

// buildService checks the [service] table.
func (l *loader) buildService(r *rawCommon) ServiceConfig {
	s := ServiceConfig{
		Name:        strings.TrimSpace(r.Service.Name),
		DisplayName: strings.TrimSpace(r.Service.DisplayName),
		Description: strings.TrimSpace(r.Service.Description),
		User:        strings.TrimSpace(r.Service.User),
	}
	if !validServiceName(s.Name) {
		l.errf("service.name", "%q is not a service name: use letters, digits, '.', '_' and '-'", s.Name)
	}
	if s.DisplayName == "" {
		s.DisplayName = s.Name
	}
	return s
}

// validServiceName reports whether name is safe as a unit, plist or
// Windows service name.
func validServiceName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		ok := r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// buildPath resolves a path key against the config's folder, or gives def
// when the key is empty.
func (l *loader) buildPath(key, p, def string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return def
	}
	if strings.ContainsRune(p, 0) {
		l.errf(key, "holds a NUL character")
		return p
	}
	return resolvePath(l.dir, p)
}

// cleanDir is dir in its canonical form ("/"-separated, no "./").
func cleanDir(dir string) string {
	return path.Clean(strings.ReplaceAll(dir, `\`, "/"))
}
