package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testToken is the token of testConfigBody.
const testToken = "secret-token-abcdef123456"

// writeConfig writes body to dir/config.toml (mode 0600) and returns its
// path.
func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatalf("write config: %v", err)
	}
	return p
}

// testConfigBody is a minimal valid config: a loopback API, project
// "proj", the inline token testToken and root. It ends inside [watch], so
// callers may append watch keys directly, or further tables.
func testConfigBody(root string) string {
	return "[api]\n" +
		"base_url = \"http://127.0.0.1:1/api/v1\"\n" +
		"project_id = \"proj\"\n" +
		"token = \"" + testToken + "\"\n" +
		"[watch]\n" +
		"root = " + tomlString(root) + "\n"
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// makeRoot creates a watch root holding _graded and _thumbnails.
func makeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"_graded", "_thumbnails"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
