// Package configtest writes configs for tests of the packages that load
// them: a minimal valid config, a watch root, and the table of broken
// configs every command must refuse.
package configtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Token is the token of Body.
const Token = "secret-token-abcdef123456"

// Write writes body to dir/config.toml (mode 0600) and returns its
// path.
func Write(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatalf("write config: %v", err)
	}
	return p
}

// Body is a minimal valid config: a loopback API, project
// "proj", the inline token Token and root. It ends inside [watch], so
// callers may append watch keys directly, or further tables.
func Body(root string) string {
	return "[api]\n" +
		"base_url = \"http://127.0.0.1:1/api/v1\"\n" +
		"project_id = \"proj\"\n" +
		"token = \"" + Token + "\"\n" +
		"[watch]\n" +
		"root = " + Quote(root) + "\n"
}

// Quote quotes s as a TOML basic string.
func Quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// Root creates a watch root holding _graded and _thumbnails.
func Root(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"_graded", "_thumbnails"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
