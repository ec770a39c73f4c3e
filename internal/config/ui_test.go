package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestUIDefaultsToLoopback(t *testing.T) {
	cfg, _ := load(t, configtest.Body(configtest.Root(t)), nil)
	if cfg.UI.Listen != DefaultUIListen || cfg.UI.PasswordFile != "" || cfg.UI.Password != "" {
		t.Errorf("ui = %+v, want listen %q and no password", cfg.UI, DefaultUIListen)
	}
	off, _ := load(t, configtest.Body(configtest.Root(t))+"[ui]\nlisten = \"\"\n", nil)
	if off.UI.Listen != "" {
		t.Errorf("listen = \"\" gave %q", off.UI.Listen)
	}
	if got := off.Settings()["ui.listen"]; !strings.Contains(got, "off") {
		t.Errorf("check shows ui.listen = \"\" as %q, want it to say the dashboard is off", got)
	}
}

func TestUILoopbackAddressesNeedNoPassword(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8484", "[::1]:9000", "localhost:8484", "127.0.0.2:0"} {
		cfg, _ := load(t, configtest.Body(configtest.Root(t))+"[ui]\nlisten = "+configtest.Quote(addr)+"\n", nil)
		if cfg.UI.Listen != addr {
			t.Errorf("listen %q loaded as %q", addr, cfg.UI.Listen)
		}
	}
}

// writePassword writes a password file with mode and returns the config
// body that names it.
func writePassword(t *testing.T, dir string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, "ui-password")
	if err := os.WriteFile(p, []byte("hunter2-but-longer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chmod(t, p, mode)
	return "[ui]\nlisten = \"0.0.0.0:8484\"\npassword_file = \"ui-password\"\n"
}

func TestUIPasswordFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows permissions are ACLs, not mode bits")
	}
	tests := []struct {
		mode os.FileMode
		want string // "" when accepted
	}{
		{0o600, ""},
		{0o400, ""},
		{0o640, "readable by its group"}, // the test's group is not the service's
		{0o604, "readable by every user"},
		{0o644, "readable by every user"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		body := configtest.Body(configtest.Root(t)) + writePassword(t, dir, tt.mode)
		cfg, _, err := Load(configtest.Write(t, dir, body), func(string) string { return "" })
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("mode %04o refused: %v", tt.mode, err)
		case tt.want == "" && cfg.UI.Password != "hunter2-but-longer":
			t.Errorf("mode %04o: password %q, want the file's content trimmed", tt.mode, cfg.UI.Password)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "ui.password_file")):
			t.Errorf("mode %04o: err %v, want one naming ui.password_file and %q", tt.mode, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// TestUIPasswordFileOwnedByAnotherUser needs root: a file owned by
// nobody (who could chmod it and read it) is refused.
func TestUIPasswordFileOwnedByAnotherUser(t *testing.T) {
	if runtime.GOOS == "windows" || os.Getuid() != 0 {
		t.Skip("needs root on a Unix system to give the file to another user")
	}
	dir := t.TempDir()
	body := configtest.Body(configtest.Root(t)) + writePassword(t, dir, 0o600)
	if out, err := exec.Command("chown", "nobody", filepath.Join(dir, "ui-password")).CombinedOutput(); err != nil {
		t.Fatalf("chown nobody: %v %s", err, out)
	}
	_, _, err := Load(configtest.Write(t, dir, body), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "owned by uid") || !strings.Contains(err.Error(), "chown root") {
		t.Errorf("err %v, want one saying who owns the file and to chown it", err)
	}
}

func TestUIPasswordIsRedacted(t *testing.T) {
	dir := t.TempDir()
	body := configtest.Body(configtest.Root(t)) + writePassword(t, dir, 0o600)
	cfg, _, err := Load(configtest.Write(t, dir, body), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range cfg.SettingsRows() {
		if strings.Contains(row[1], "hunter2") {
			t.Errorf("check prints the password in %s = %s", row[0], row[1])
		}
	}
	found := false
	for _, s := range cfg.Tokens() {
		found = found || s == "hunter2-but-longer"
	}
	if !found {
		t.Error("Tokens lacks the password, so redaction would not hide it")
	}
}
