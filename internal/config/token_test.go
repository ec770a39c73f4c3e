package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestTokenFileWithAByteOrderMark(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tok"), []byte("\ufefffile-token-0123456789abc\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := configtest.Edit(`token = ".*"`, `token_file = "tok"`)(configtest.Root(t))
	cfg, _, err := Load(configtest.Write(t, dir, body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.Token != "file-token-0123456789abc" {
		t.Errorf("token %q, want it without the byte order mark", cfg.API.Token)
	}
}
