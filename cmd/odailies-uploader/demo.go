package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// cmdDemo runs the daemon for real against a sandbox on this machine: the
// fake oDailies API on a loopback port, storing what it receives under
// DIR/received.
func cmdDemo(ctx context.Context, c *cli, args []string) error {
	fs, _ := c.commandFlags("demo", "[-dir DIR]",
		"Try odailies-uploader without an oDailies account: a sandbox API and storage on this machine,\n"+
			"a demo folder with sample files, and the daemon in the foreground. Ctrl-C stops it.")
	dirFlag := fs.String("dir", "odailies-demo", "the demo folder (created)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, err := filepath.Abs(*dirFlag)
	if err != nil {
		return usageErrorf("demo: -dir: %v", err)
	}
	for _, sub := range []string{"_graded", "_thumbnails", "received", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("demo: create the demo folder: %w", err)
		}
	}
	token := randomToken()
	srv, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "demo",
		Tokens:    map[string]odailiestest.Perm{token: odailiestest.Read | odailiestest.Write | odailiestest.Upload},
		Dir:       filepath.Join(dir, "received"),
	})
	if err != nil {
		return fmt.Errorf("demo: start the sandbox API: %w", err)
	}
	defer srv.Close()
	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(demoConfig(dir, srv.URL(), token)), 0o600); err != nil {
		return fmt.Errorf("demo: write the config: %w", err)
	}
	if err := writeSamples(dir); err != nil {
		return fmt.Errorf("demo: write sample files: %w", err)
	}
	cfg, err := c.config(configPath)
	if err != nil {
		return err
	}
	printDemoBanner(c.stdout, dir, srv.URL())
	return runDaemon(ctx, c, cfg, modeDemo)
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "demo-" + hex.EncodeToString(b)
}

// demoConfig is the demo's config: the sandbox API, the status log on the
// terminal, and a short settle so dropped files show up quickly.
func demoConfig(dir, baseURL, token string) string {
	return fmt.Sprintf(`# Written by 'odailies-uploader demo' on every start (the sandbox port changes).
[api]
base_url   = %q
project_id = "demo"
token      = %q

[watch]
root   = %q
settle = "2s"

[state]
dir = "state"

[log]
file = "-"
status_every = "10s"
`, baseURL, token, dir)
}

// samples are the demo's files: a few graded clips and their thumbnails.
var samples = []struct {
	path string
	size int64
}{
	{"_thumbnails/A001C001_260422_R3CK.jpg", 48 << 10},
	{"_thumbnails/A001C002_260422_R3CK.jpg", 52 << 10},
	{"_thumbnails/day 2/B003C014_260423_R7QP.jpg", 40 << 10},
	{"_graded/A001C001_260422_R3CK.mov", 6 << 20},
	{"_graded/A001C002_260422_R3CK.mov", 4 << 20},
	{"_graded/day 2/B003C014_260423_R7QP.mov", 3 << 20},
}

// writeSamples writes each sample the way a careful renderer does: into a
// hidden temporary name, renamed when complete, so the watcher never sees
// half a file.
func writeSamples(dir string) error {
	for _, s := range samples {
		dst := filepath.Join(dir, filepath.FromSlash(s.path))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".part")
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		_, err = io.CopyN(f, rand.Reader, s.size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
	}
	return nil
}

func printDemoBanner(w io.Writer, dir, api string) {
	line := strings.Repeat("─", 72)
	fmt.Fprintf(w, "%s\nodailies-uploader demo\n\n", line)
	fmt.Fprintf(w, "  sandbox API   %s (project \"demo\")\n", api)
	fmt.Fprintf(w, "  watching      %s\n", filepath.Join(dir, "_graded"))
	fmt.Fprintf(w, "                %s\n", filepath.Join(dir, "_thumbnails"))
	fmt.Fprintf(w, "  received      %s\n", filepath.Join(dir, "received"))
	fmt.Fprintf(w, "  config        %s\n\n", filepath.Join(dir, "config.toml"))
	fmt.Fprintf(w, "Sample files are being uploaded. Drop your own files into _graded or\n")
	fmt.Fprintf(w, "_thumbnails and watch them arrive under received/. In another terminal:\n")
	fmt.Fprintf(w, "  go run ./cmd/odailies-uploader status -config %s\n", filepath.Join(dir, "config.toml"))
	fmt.Fprintf(w, "Ctrl-C stops the demo.\n%s\n", line)
}
