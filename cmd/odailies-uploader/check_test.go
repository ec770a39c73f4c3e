package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCheckOfflineExampleConfig(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	root := makeRoot(t)
	re := regexp.MustCompile(`(?m)^root = .*$`)
	if !re.Match(example) {
		t.Fatal("config.example.toml has no root line to point at the test folder")
	}
	body := re.ReplaceAllLiteralString(string(example), "root = "+tomlString(root))
	cfgPath := writeConfig(t, t.TempDir(), body)
	const tok = "example/t0ken?with&odd=chars%41+ü"
	r := runCLI(t, map[string]string{tokenEnv: tok}, "check", "-offline", "-config", cfgPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.all())
	}
	for _, want := range []string{cfgPath, root, redactToken(tok), "(from ODAILIES_TOKEN)", "watch.open_writer_max  1h", "upload.small_file      64MB", "No warnings."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, key := range configKeys {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + ` +\S`).MatchString(r.stdout) {
			t.Errorf("output has no value for %s", key)
		}
	}
	assertNoSecret(t, r.all(), tok)
}

func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	table := ""
	seen := map[string]bool{}
	for line := range strings.SplitSeq(string(example), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if m := regexp.MustCompile(`^\[(\w+)\]$`).FindStringSubmatch(line); m != nil {
			table = m[1]
		} else if m := regexp.MustCompile(`^(\w+) *=`).FindStringSubmatch(line); m != nil {
			seen[table+"."+m[1]] = true
		}
	}
	for _, key := range configKeys {
		if !seen[key] {
			t.Errorf("config.example.toml does not show %s", key)
		}
	}
}

// brokenConfigs are configs that check -offline and run must both refuse
// with exit 2, naming what to fix.
var brokenConfigs = []struct {
	name  string
	body  func(root string) string
	env   map[string]string
	files map[string]string // written next to the config first
	want  []string
}{
	{"unknown key", plus("sttle = \"5s\"\n"), nil, nil, []string{`line 7`, `"watch.sttle"`}},
	{"unknown table", plus("[extra]\nx = 1\n"), nil, nil, []string{`line 7`, `"extra"`}},
	{"key in wrong case", plus("SETTLE = \"5s\"\n"), nil, nil, []string{`line 7`, `"watch.SETTLE"`}},
	{"syntax error", plus("settle = \"5s\n"), nil, nil, []string{"line 7", "syntax error"}},
	{"duplicate key", plus("root = \"/x\"\n"), nil, nil, []string{"line 7"}},
	{"bad duration", plus("settle = \"5 sec\"\n"), nil, nil, []string{"line 7", "watch.settle", `"5 sec"`}},
	{"duration as number", plus("rescan = 600\n"), nil, nil, []string{"line 7", "watch.rescan"}},
	{"negative settle", plus("settle = \"-1s\"\n"), nil, nil, []string{"line 7", "watch.settle", "negative"}},
	{"bad size", plus("[upload]\nsmall_file = \"64XB\"\n"), nil, nil, []string{"line 8", "upload.small_file"}},
	{"bad log size", plus("[log]\nmax_size = \"big\"\n"), nil, nil, []string{"log.max_size"}},
	{"bad rate", plus("[upload]\nbandwidth = \"40MB\"\n"), nil, nil, []string{"line 8", "upload.bandwidth", "/s"}},
	{"zero rate", plus("[upload]\nbandwidth = \"0MB/s\"\n"), nil, nil, []string{"upload.bandwidth"}},
	{"workers 0", plus("[upload]\nworkers = 0\n"), nil, nil, []string{"line 8", "upload.workers", "1 to 64"}},
	{"workers 1000", plus("[upload]\nworkers = 1000\n"), nil, nil, []string{"upload.workers"}},
	{"workers as text", plus("[upload]\nworkers = \"4\"\n"), nil, nil, []string{"upload.workers"}},
	{"empty dirs", plus("dirs = []\n"), nil, nil, []string{"line 7", "watch.dirs", "empty"}},
	{"empty dir name", plus("dirs = [\"_graded\", \"\"]\n"), nil, nil, []string{"watch.dirs", "empty name"}},
	{"dir with ..", plus("dirs = [\"_graded/../../etc\"]\n"), nil, nil, []string{"watch.dirs", ".."}},
	{"dir is ..", plus("dirs = [\"..\"]\n"), nil, nil, []string{"watch.dirs"}},
	{"absolute dir", plus("dirs = [\"/etc\"]\n"), nil, nil, []string{"watch.dirs", "absolute"}},
	{"drive-letter dir", plus("dirs = ['C:\\graded']\n"), nil, nil, []string{"watch.dirs", "absolute"}},
	{"duplicate dir", plus("dirs = [\"_graded\", \"./_graded\"]\n"), nil, nil, []string{"watch.dirs", "twice"}},
	{"missing root", edit(`root = ".*"`, ""), nil, nil, []string{"watch.root", "not set"}},
	{"empty root", edit(`root = ".*"`, `root = ""`), nil, nil, []string{"watch.root"}},
	{"http to a remote host", edit(`base_url = ".*"`, `base_url = "http://odailies.com/api/v1"`), nil, nil, []string{"line 2", "api.base_url", "https"}},
	{"relative base_url", edit(`base_url = ".*"`, `base_url = "api/v1"`), nil, nil, []string{"api.base_url", "absolute URL"}},
	{"ftp base_url", edit(`base_url = ".*"`, `base_url = "ftp://127.0.0.1/api"`), nil, nil, []string{"api.base_url"}},
	{"base_url with query", edit(`base_url = ".*"`, `base_url = "https://odailies.com/api/v1?x=1"`), nil, nil, []string{"api.base_url"}},
	{"bad include glob", plus("include = [\"*.mov\", \"[a-\"]\n"), nil, nil, []string{"watch.include", `"[a-"`}},
	{"bad exclude glob", plus("exclude = [\"\\\\\"]\n"), nil, nil, []string{"watch.exclude"}},
	{"two token sources", nil, map[string]string{tokenEnv: "env-token-0123456789"}, nil, []string{"api.token", "ODAILIES_TOKEN", "exactly one"}},
	{"three token sources", edit(`token = ".*"`, "token = \"a\"\ntoken_file = \"tok\""), map[string]string{tokenEnv: "x"}, map[string]string{"tok": "x"}, []string{"api.token, api.token_file, ODAILIES_TOKEN"}},
	{"missing token", edit(`token = ".*"`, ""), nil, nil, []string{"api.token", "no token"}},
	{"token with a space", edit(`token = ".*"`, `token = "two words"`), nil, nil, []string{"api.token", "one word"}},
	{"missing project_id", edit(`project_id = ".*"`, ""), nil, nil, []string{"api.project_id"}},
	{"unreadable token_file", edit(`token = ".*"`, `token_file = "missing-token.txt"`), nil, nil, []string{"api.token_file", "missing-token.txt"}},
	{"token_file is a folder", edit(`token = ".*"`, `token_file = "."`), nil, nil, []string{"api.token_file"}},
	{"empty token_file", edit(`token = ".*"`, `token_file = "tok"`), nil, map[string]string{"tok": " \n\t\n"}, []string{"api.token_file", "empty"}},
	{"two-line token_file", edit(`token = ".*"`, `token_file = "tok"`), nil, map[string]string{"tok": "abc\ndef\n"}, []string{"api.token_file"}},
	{"retry_min above retry_max", plus("[upload]\nretry_min = \"10m\"\nretry_max = \"1m\"\n"), nil, nil, []string{"line 8", "upload.retry_min", "retry_max"}},
	{"bad log.level", plus("[log]\nlevel = \"loud\"\n"), nil, nil, []string{"line 8", "log.level", `"loud"`}},
	{"negative log.keep", plus("[log]\nkeep = -1\n"), nil, nil, []string{"log.keep"}},
	{"bad header name", plus("[upload]\nheaders = { \"bad name\" = \"x\" }\n"), nil, nil, []string{"upload.headers", `"bad name"`}},
	{"managed header", plus("[upload]\nheaders = { \"Content-Length\" = \"1\" }\n"), nil, nil, []string{"upload.headers"}},
	{"bad service name", plus("[service]\nname = \"my service\"\n"), nil, nil, []string{"service.name"}},
	{"zero rescan", plus("rescan = \"0s\"\n"), nil, nil, []string{"watch.rescan"}},
}

// plus appends text to the valid test config.
func plus(text string) func(string) string {
	return func(root string) string { return testConfigBody(root) + text }
}

// edit replaces the line matching pattern in the valid test config.
func edit(pattern, repl string) func(string) string {
	re := regexp.MustCompile(`(?m)^` + pattern + `$`)
	return func(root string) string { return re.ReplaceAllLiteralString(testConfigBody(root), repl) }
}

func TestBrokenConfigsAreRefused(t *testing.T) {
	for _, tt := range brokenConfigs {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			body := testConfigBody(makeRoot(t))
			if tt.body != nil {
				body = tt.body(makeRoot(t))
			}
			cfgPath := writeConfig(t, dir, body)
			for _, args := range [][]string{{"check", "-offline"}, {"run"}} {
				r := runCLI(t, tt.env, append(args, "-config", cfgPath)...)
				if r.code != 2 {
					t.Fatalf("%s: exit %d, want 2 (err %v)", args[0], r.code, r.err)
				}
				for _, want := range tt.want {
					if !strings.Contains(r.err.Error(), want) {
						t.Errorf("%s: error lacks %q:\n%v", args[0], want, r.err)
					}
				}
				assertNoSecret(t, r.all(), testToken)
			}
		})
	}
}

func TestMissingFoldersWarnForRunButFailCheck(t *testing.T) {
	root := t.TempDir() // no _graded, no _thumbnails
	cfgPath := writeConfig(t, t.TempDir(), testConfigBody(root))

	check := runCLI(t, nil, "check", "-offline", "-config", cfgPath)
	if check.code != 2 || !strings.Contains(check.err.Error(), filepath.Join(root, "_graded")) {
		t.Errorf("check -offline: exit %d, err %v; want 2 naming the missing folder", check.code, check.err)
	}

	run := runCLI(t, nil, "run", "-config", cfgPath)
	if exitCode(run.err) == 2 {
		t.Errorf("run refused the config for a missing folder: %v", run.err)
	}
	if !strings.Contains(run.stderr, "odailies-uploader: warning: watch.dirs: folder "+filepath.Join(root, "_thumbnails")) {
		t.Errorf("run printed no warning for the missing folder:\n%s", run.stderr)
	}

	gone := writeConfig(t, t.TempDir(), testConfigBody(filepath.Join(root, "unplugged")))
	check = runCLI(t, nil, "check", "-offline", "-config", gone)
	if check.code != 2 || !strings.Contains(check.err.Error(), "watch.root") {
		t.Errorf("check -offline with a missing root: exit %d, err %v", check.code, check.err)
	}
}

func TestCheckWithoutConfigFile(t *testing.T) {
	r := runCLI(t, nil, "check", "-offline", "-config", filepath.Join(t.TempDir(), "none.toml"))
	if r.code != 2 || !strings.Contains(r.err.Error(), "none.toml") {
		t.Errorf("exit %d, err %v; want 2 naming the file", r.code, r.err)
	}
}

// assertNoSecret fails when out holds secret in any spelling a URL gives it.
func assertNoSecret(t *testing.T, out, secret string) {
	t.Helper()
	for _, form := range secretForms(secret) {
		if strings.Contains(out, form) {
			t.Errorf("output holds the secret (%q):\n%s", form, out)
		}
	}
}

func TestTokenNeverInCheckOrRunOutput(t *testing.T) {
	for i, tok := range append(specialTokens, testToken) {
		// Not named after the token: the name becomes part of t.TempDir().
		t.Run(fmt.Sprintf("token%d", i), func(t *testing.T) {
			root := makeRoot(t)
			inline := edit(`token = ".*"`, "token = "+tomlString(tok))(root)
			fromFile := edit(`token = ".*"`, `token_file = "tok"`)(root)
			fromEnv := edit(`token = ".*"`, "")(root)
			cases := []struct {
				name string
				body string
				env  map[string]string
				code int // of check -offline; run always ends in 1 or 2
			}{
				{"inline", inline, nil, 0},
				{"file", fromFile, nil, 0},
				{"env", fromEnv, map[string]string{tokenEnv: tok}, 0},
				{"inline, broken", inline + "settle = \"-1s\"\n", nil, 2},
				{"env, broken", fromEnv + "[upload]\nworkers = 0\n", map[string]string{tokenEnv: tok}, 2},
				{"inline and env", inline, map[string]string{tokenEnv: tok}, 2},
			}
			for _, c := range cases {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "tok"), []byte(tok+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				cfgPath := writeConfig(t, dir, c.body)
				chmod(t, cfgPath, 0o644) // readable by others: a warning that names files
				r := runCLI(t, c.env, "check", "-offline", "-config", cfgPath)
				if r.code != c.code {
					t.Errorf("%s: check exit %d, want %d: %v", c.name, r.code, c.code, r.err)
				}
				if c.code == 0 && !strings.Contains(r.stdout, redactToken(tok)) {
					t.Errorf("%s: check does not show the redacted token:\n%s", c.name, r.stdout)
				}
				assertNoSecret(t, r.all(), tok)
				assertNoSecret(t, runCLI(t, c.env, "run", "-config", cfgPath).all(), tok)
				// Online, against a closed loopback port: the failure must not show it either.
				assertNoSecret(t, runCLI(t, c.env, "check", "-config", cfgPath).all(), tok)
			}
		})
	}
}
