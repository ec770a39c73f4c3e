package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/redact"
)

func TestCheckOfflineExampleConfig(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	root := configtest.Root(t)
	re := regexp.MustCompile(`(?m)^root = .*$`)
	if !re.Match(example) {
		t.Fatal("config.example.toml has no root line to point at the test folder")
	}
	body := re.ReplaceAllLiteralString(string(example), "root = "+configtest.Quote(root))
	cfgPath := configtest.Write(t, t.TempDir(), body)
	const tok = "example/t0ken?with&odd=chars%41+ü"
	r := runCLI(t, map[string]string{"ODAILIES_TOKEN": tok}, "check", "-offline", "-config", cfgPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.all())
	}
	for _, want := range []string{cfgPath, root, redact.Token(tok), "(from ODAILIES_TOKEN)", "No warnings."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{`watch.open_writer_max +1h\n`, `log.max_size +20MB\n`, `upload.allow_insecure_storage +false\n`} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("output lacks %s:\n%s", want, r.stdout)
		}
	}
	for _, key := range config.Keys {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + ` +\S`).MatchString(r.stdout) {
			t.Errorf("output has no value for %s", key)
		}
	}
	assertNoSecret(t, r.all(), tok)
}

func TestBrokenConfigsAreRefused(t *testing.T) {
	for _, tt := range configtest.Broken {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.Files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			body := configtest.Body(configtest.Root(t))
			if tt.Body != nil {
				body = tt.Body(configtest.Root(t))
			}
			cfgPath := configtest.Write(t, dir, body)
			for _, args := range [][]string{{"check", "-offline"}, {"run"}} {
				r := runCLI(t, tt.Env, append(args, "-config", cfgPath)...)
				if r.code != 2 {
					t.Fatalf("%s: exit %d, want 2 (err %v)", args[0], r.code, r.err)
				}
				for _, want := range tt.Want {
					if !strings.Contains(r.err.Error(), want) {
						t.Errorf("%s: error lacks %q:\n%v", args[0], want, r.err)
					}
				}
				assertNoSecret(t, r.all(), configtest.Token)
			}
		})
	}
}

func TestMissingFoldersWarnForRunButFailCheck(t *testing.T) {
	root := t.TempDir() // no _graded, no _thumbnails
	cfgPath := configtest.Write(t, t.TempDir(), configtest.Body(root))

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

	gone := configtest.Write(t, t.TempDir(), configtest.Body(filepath.Join(root, "unplugged")))
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
	for _, form := range redact.Spellings(secret) {
		if strings.Contains(out, form) {
			t.Errorf("output holds the secret (%q):\n%s", form, out)
		}
	}
}

func TestTokenNeverInCheckOrRunOutput(t *testing.T) {
	for i, tok := range []string{"s3cr3t/t0ken?x=1&y=%2F+plus#frag", "tök€n-with-ünïcode-0123456789", "semi;colon,comma:colon@at$dollar!", configtest.Token} {
		// Not named after the token: the name becomes part of t.TempDir().
		t.Run(fmt.Sprintf("token%d", i), func(t *testing.T) {
			root := configtest.Root(t)
			inline := configtest.Edit(`token = ".*"`, "token = "+configtest.Quote(tok))(root)
			fromFile := configtest.Edit(`token = ".*"`, `token_file = "tok"`)(root)
			fromEnv := configtest.Edit(`token = ".*"`, "")(root)
			cases := []struct {
				name string
				body string
				env  map[string]string
				code int // of check -offline; run always ends in 1 or 2
			}{
				{"inline", inline, nil, 0},
				{"file", fromFile, nil, 0},
				{"env", fromEnv, map[string]string{"ODAILIES_TOKEN": tok}, 0},
				{"inline, broken", inline + "settle = \"-1s\"\n", nil, 2},
				{"env, broken", fromEnv + "[upload]\nworkers = 0\n", map[string]string{"ODAILIES_TOKEN": tok}, 2},
				{"inline and env", inline, map[string]string{"ODAILIES_TOKEN": tok}, 2},
			}
			for _, c := range cases {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "tok"), []byte(tok+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				cfgPath := configtest.Write(t, dir, c.body)
				if err := os.Chmod(cfgPath, 0o644); err != nil {
					t.Fatal(err)
				} // readable by others: a warning that names files
				r := runCLI(t, c.env, "check", "-offline", "-config", cfgPath)
				if r.code != c.code {
					t.Errorf("%s: check exit %d, want %d: %v", c.name, r.code, c.code, r.err)
				}
				if c.code == 0 && !strings.Contains(r.stdout, redact.Token(tok)) {
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
