package config

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// load loads body written to a fresh folder, failing the test on error.
func load(t *testing.T, body string, env map[string]string) (*Config, []string) {
	t.Helper()
	cfg, warnings, err := Load(configtest.Write(t, t.TempDir(), body), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg, warnings
}

func TestLoadConfigDefaults(t *testing.T) {
	root := configtest.Root(t)
	cfg, warnings := load(t, configtest.Body(root), nil)
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	want := WatchConfig{
		Root: root, Dirs: []string{"_graded", "_thumbnails"}, Settle: 5 * time.Second,
		Rescan: 10 * time.Minute, PollInterval: 10 * time.Second, Include: []string{},
		Exclude:       []string{".*", "*.tmp", "*.part", "~*", "Thumbs.db", "desktop.ini"},
		OpenWriterMax: time.Hour,
		AfterUpload:   "keep", AfterUploadDir: filepath.Join(root, "_uploaded"),
	}
	if !reflect.DeepEqual(cfg.Watch, want) {
		t.Errorf("watch = %+v\nwant    %+v", cfg.Watch, want)
	}
	wantUpload := UploadConfig{
		Workers: 4, Priority: []string{"_thumbnails", "_graded"}, RetryMin: time.Second,
		RetryMax: 5 * time.Minute, StallTimeout: time.Minute, Headers: map[string]string{},
		Verify: "md5",
	}
	if !reflect.DeepEqual(cfg.Upload, wantUpload) {
		t.Errorf("upload = %+v\nwant     %+v", cfg.Upload, wantUpload)
	}
	wantLog := LogConfig{File: defaultLogFile(), Level: slog.LevelInfo, StatusEvery: time.Minute, MaxSize: 20e6, Keep: 5}
	if cfg.Log != wantLog {
		t.Errorf("log = %+v, want %+v", cfg.Log, wantLog)
	}
	wantAPI := APIConfig{BaseURL: "http://127.0.0.1:1/api/v1", ProjectID: "proj", Token: configtest.Token, TokenSource: "api.token"}
	if cfg.API != wantAPI || cfg.State.Dir != defaultStateDir() || cfg.Service.Name != "odailies-uploader" {
		t.Errorf("api = %+v, state = %q, service = %+v", cfg.API, cfg.State.Dir, cfg.Service)
	}
}

// uncommentExample returns config.example.toml with every commented
// "key = value" line made live (the first of each key in a table), root
// set and token_file left out.
func uncommentExample(t *testing.T, root string) string {
	t.Helper()
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	keyLine := regexp.MustCompile(`^#(\w+) = `)
	table, seen := "", map[string]bool{}
	var out []string
	for line := range strings.SplitSeq(string(example), "\n") {
		if strings.HasPrefix(line, "[") || strings.HasPrefix(line, "#[[") {
			table = line // a commented array table ([[notify]]) stays commented
		}
		if m := keyLine.FindStringSubmatch(line); m != nil && m[1] != "token_file" && !seen[table+m[1]] &&
			!strings.HasPrefix(table, "#") {
			seen[table+m[1]] = true
			line = line[1:]
		}
		if strings.HasPrefix(line, "root = ") {
			line = "root = " + configtest.Quote(root)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestExampleShowsTheDefaults(t *testing.T) {
	root := configtest.Root(t)
	env := map[string]string{tokenEnv: configtest.Token}
	all, _ := load(t, uncommentExample(t, root), env)
	bare, _ := load(t, "[watch]\nroot = "+configtest.Quote(root)+"\n[api]\nproject_id = \"your-project-id\"\n", env)
	all.Path, bare.Path = "", ""
	if !reflect.DeepEqual(all, bare) {
		t.Errorf("the example's values differ from the defaults:\nexample  %+v\ndefaults %+v", all, bare)
	}
}

func TestRelativePathsResolveAgainstConfigFolder(t *testing.T) {
	base := t.TempDir()
	etc := filepath.Join(base, "etc")
	for _, d := range []string{etc, filepath.Join(etc, "secrets"), filepath.Join(base, "dailies", "_graded"), filepath.Join(base, "dailies", "_thumbnails")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(etc, "secrets", "token"), []byte("\n  file-token-0123456789abc \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := "[api]\nproject_id = \"p\"\ntoken_file = \"secrets/token\"\n" +
		"[watch]\nroot = \"../dailies\"\n[state]\ndir = \"state\"\n[log]\nfile = \"logs/u.log\"\n"
	cfgPath := configtest.Write(t, etc, body)
	t.Chdir(t.TempDir()) // the working directory must not matter

	cfg, warnings, err := Load(filepath.Join(etc, "config.toml"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"path", cfg.Path, cfgPath},
		{"root", cfg.Watch.Root, filepath.Join(base, "dailies")},
		{"state.dir", cfg.State.Dir, filepath.Join(etc, "state")},
		{"log.file", cfg.Log.File, filepath.Join(etc, "logs", "u.log")},
		{"token source", cfg.API.TokenSource, "api.token_file (" + filepath.Join(etc, "secrets", "token") + ")"},
		{"token", cfg.API.Token, "file-token-0123456789abc"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
}

func TestTokenFromEnvironment(t *testing.T) {
	root := configtest.Root(t)
	body := strings.Replace(configtest.Body(root), "token = \""+configtest.Token+"\"\n", "", 1)
	cfg, _ := load(t, body, map[string]string{tokenEnv: "  env-token-0123456789 \n"})
	if cfg.API.Token != "env-token-0123456789" || cfg.API.TokenSource != tokenEnv {
		t.Errorf("token %q from %q", cfg.API.Token, cfg.API.TokenSource)
	}
}

func TestWarnsWhenOthersCanReadTheToken(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows permissions are ACLs, not mode bits")
	}
	root := configtest.Root(t)
	tests := []struct {
		name       string
		body       string
		configMode os.FileMode
		tokenMode  os.FileMode
		want       string // "" for no warning
	}{
		{"private inline", configtest.Body(root), 0o600, 0, ""},
		{"shared inline", configtest.Body(root), 0o644, 0, "api.token: the config holds the token"},
		{"group-readable inline", configtest.Body(root), 0o640, 0, "api.token"},
		{"shared config, token elsewhere", configtest.Edit(`token = ".*"`, `token_file = "tok"`)(root), 0o644, 0o600, ""},
		{"shared token file", configtest.Edit(`token = ".*"`, `token_file = "tok"`)(root), 0o600, 0o604, "api.token_file: the token file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := configtest.Write(t, dir, tt.body)
			chmod(t, p, tt.configMode)
			if tt.tokenMode != 0 {
				tok := filepath.Join(dir, "tok")
				if err := os.WriteFile(tok, []byte(configtest.Token), 0o600); err != nil {
					t.Fatal(err)
				}
				chmod(t, tok, tt.tokenMode)
			}
			_, warnings, err := Load(p, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(warnings, "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) || tt.want != "" && !strings.Contains(got, "chmod 600") {
				t.Errorf("warnings %q, want one containing %q", got, tt.want)
			}
			if strings.Contains(got, configtest.Token) {
				t.Errorf("warnings show the token: %s", got)
			}
		})
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownKeysAllNamed(t *testing.T) {
	body := configtest.Body(configtest.Root(t)) + "settel = \"1s\"\n[upload]\nworker = 2\n[upload.headers]\nX-Ok = \"1\"\n"
	_, _, err := Load(configtest.Write(t, t.TempDir(), body), nil)
	for _, want := range []string{`line 7: unknown key "watch.settel"`, `line 9: unknown key "upload.worker"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "X-Ok") {
		t.Errorf("a header name was taken for an unknown key: %v", err)
	}
}

func TestUnknownKeySuggestions(t *testing.T) {
	tests := []struct{ key, want string }{
		{"watch.sttle", "watch.settle"},
		{"watch.SETTLE", "watch.settle"},
		{"api.root", "watch.root"},
		{"upload.worker", "upload.workers"},
		{"log.levl", "log.level"},
		{"nothing.like.it", ""},
	}
	for _, tt := range tests {
		got := suggestKey(tt.key)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, `"`+tt.want+`"`) {
			t.Errorf("suggestKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestManyUnknownKeysAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(configtest.Body(configtest.Root(t)))
	for i := range 20 {
		fmt.Fprintf(&b, "junk%d = 1\n", i)
	}
	_, _, err := Load(configtest.Write(t, t.TempDir(), b.String()), nil)
	if err == nil || strings.Count(err.Error(), `unknown key "`) != maxReported || !strings.Contains(err.Error(), "and 15 more") {
		t.Errorf("err = %v", err)
	}
}

func TestSyntaxErrorOnTheTokenLineHidesIt(t *testing.T) {
	for _, tok := range []string{"abcdef0123456789XYZ", "s3cr3t-token-abcdef"} {
		body := configtest.Edit(`token = ".*"`, "token = "+tok)(configtest.Root(t))
		_, _, err := Load(configtest.Write(t, t.TempDir(), body), nil)
		if err == nil || !strings.Contains(err.Error(), "line 4") {
			t.Fatalf("err = %v, want a syntax error on line 4", err)
		}
		for _, part := range []string{tok, tok[:6]} {
			if strings.Contains(err.Error(), part) {
				t.Errorf("error shows the token (%q): %v", part, err)
			}
		}
	}
}

func TestKeyLine(t *testing.T) {
	const doc = "a = 1\n[t]\nb = 2\nc.d = 3\n\n[t.u]\ne = { f = 4 }\n"
	tests := []struct {
		key  string
		want int
	}{{"a", 1}, {"t", 2}, {"t.b", 3}, {"t.c.d", 4}, {"t.u", 6}, {"t.u.e", 7}, {"t.missing", 0}, {"zz", 0}}
	for _, tt := range tests {
		if got := definedLine(doc, tt.key); got != tt.want {
			t.Errorf("line of %s = %d, want %d", tt.key, got, tt.want)
		}
	}
	if got := definedLine("x = [", "x"); got != 0 {
		t.Errorf("line in broken TOML = %d, want 0", got)
	}
}

func TestPathsFor(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		goos string
		env  map[string]string
		want osPaths
	}{
		{"linux", nil, osPaths{"/etc/odailies-uploader/config.toml", "/var/lib/odailies-uploader", "/var/log/odailies-uploader/odailies-uploader.log"}},
		{"freebsd", nil, osPaths{"/etc/odailies-uploader/config.toml", "/var/lib/odailies-uploader", "/var/log/odailies-uploader/odailies-uploader.log"}},
		{"darwin", nil, osPaths{"/Library/Application Support/odailies-uploader/config.toml", "/Library/Application Support/odailies-uploader", "/Library/Logs/odailies-uploader/odailies-uploader.log"}},
		{"windows", map[string]string{"ProgramData": `D:\PD\`}, osPaths{`D:\PD\odailies-uploader\config.toml`, `D:\PD\odailies-uploader`, `D:\PD\odailies-uploader\logs\odailies-uploader.log`}},
		{"windows", nil, osPaths{`C:\ProgramData\odailies-uploader\config.toml`, `C:\ProgramData\odailies-uploader`, `C:\ProgramData\odailies-uploader\logs\odailies-uploader.log`}},
	}
	for _, tt := range tests {
		if got := pathsFor(tt.goos, env(tt.env)); got != tt.want {
			t.Errorf("%s %v: %+v, want %+v", tt.goos, tt.env, got, tt.want)
		}
	}
	if !filepath.IsAbs(DefaultPath()) || !filepath.IsAbs(defaultStateDir()) || !filepath.IsAbs(defaultLogFile()) {
		t.Errorf("defaults are not absolute here: %q %q %q", DefaultPath(), defaultStateDir(), defaultLogFile())
	}
}

// TestRetiredKeyLoads: a config written for an older version, which set
// upload.small_file, still loads (with any value it held) and is told the
// key does nothing now, with its line.
func TestRetiredKeyLoads(t *testing.T) {
	for _, value := range []string{`"64MiB"`, `"64XB"`, `123`} {
		body := configtest.Body(configtest.Root(t)) + "[upload]\nworkers = 3\nsmall_file = " + value + "\n"
		cfg, warnings := load(t, body, nil)
		if cfg.Upload.Workers != 3 {
			t.Errorf("small_file = %s: workers = %d, want 3 (the rest of the table read)", value, cfg.Upload.Workers)
		}
		want := "line 9: upload.small_file is no longer used and is ignored: thumbnails (the first folder of upload.priority) have an upload slot of their own"
		if len(warnings) != 1 || !strings.HasPrefix(warnings[0], want) || !strings.HasSuffix(warnings[0], "remove the line") {
			t.Errorf("small_file = %s: warnings %q, want one starting %q", value, warnings, want)
		}
	}
}
