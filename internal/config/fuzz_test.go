package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// FuzzLoadConfig feeds arbitrary text to the loader: it must never panic,
// every error must be a *Error, and check must be able to print
// whatever it accepts.
func FuzzLoadConfig(f *testing.F) {
	f.Add(configtest.Body("/tmp"))
	if example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml")); err == nil {
		f.Add(string(example))
	}
	for _, tt := range configtest.Broken {
		if tt.Body != nil {
			f.Add(tt.Body("/tmp"))
		}
	}
	f.Add("[upload]\nworkers = 3\nbandwidth = \"1.5GiB/s\"\nheaders = { a = \"b\" }\n")
	f.Add("[[api]]\nx = 1\n")
	f.Add("api = 1\nwatch.root.x = 2\n")
	f.Add(twoShows("/tmp/a", "/tmp/b", "token = \"t-0123456789\"\n"))
	f.Add("[[watch]]\nname = \"a\"\nroot = \"/x\"\n[[watch]]\nname = \"a\"\nroot = \"/x/y\"\n")
	f.Add("watch = [{ root = \"/x\", name = \"n\" }, 1]\n")
	f.Add("watch = []\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, warnings, err := Load(p, func(string) string { return "" })
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			return
		}
		_ = cfg.Settings()
		_ = cfg.SettingsRows()
		_ = warnings
	})
}
