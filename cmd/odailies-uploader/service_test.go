package main

import (
	"path/filepath"
	"testing"
)

func TestServiceCommandsCheckArgsAndConfigFirst(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.toml")
	for _, name := range []string{"install", "uninstall", "start", "stop", "restart"} {
		if r := runCLI(t, nil, name, "-config", missing); r.code != 2 {
			t.Errorf("%s with a missing config: exit %d, want 2: %s", name, r.code, r.all())
		}
		if r := runCLI(t, nil, name, "-config", missing, "extra"); r.code != 2 {
			t.Errorf("%s with an argument: exit %d, want 2: %s", name, r.code, r.all())
		}
	}
}
