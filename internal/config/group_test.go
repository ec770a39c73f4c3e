//go:build !windows

package config

import (
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// TestConfigReadableByTheServiceGroupIsFine installs the config as the
// packages do (0640, group of the service's user): no warning; the same
// mode with another group still warns.
func TestConfigReadableByTheServiceGroupIsFine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the config another group")
	}
	svc, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody on this machine")
	}
	gid, _ := strconv.Atoi(svc.Gid)
	body := configtest.Body(configtest.Root(t)) + "[service]\nuser = \"nobody\"\n"
	for _, tc := range []struct {
		name string
		gid  int
		warn bool
	}{{"service group", gid, false}, {"another group", gid + 1, true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := configtest.Write(t, t.TempDir(), body)
			if err := os.Chown(p, 0, tc.gid); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, 0o640); err != nil {
				t.Fatal(err)
			}
			_, warnings, err := Load(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(warnings, "\n")
			if warned := strings.Contains(got, "readable by its group"); warned != tc.warn {
				t.Errorf("warnings %q; want a group warning: %v", got, tc.warn)
			}
		})
	}
}
