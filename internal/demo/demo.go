// Package demo sets up the sandbox of 'odailies-uploader demo': a demo
// folder with a config, _graded and _thumbnails holding sample files, and
// the fake oDailies API (odailiestest) on a loopback port, storing what it
// receives under the folder's received/.
package demo

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// Sandbox is a prepared demo: its folder, config and running sandbox API.
type Sandbox struct {
	Dir    string // the demo folder, absolute
	Config string // its config.toml
	API    *odailiestest.Server
}

// Close stops the sandbox API.
func (s *Sandbox) Close() error { return s.API.Close() }

// Prepare creates the demo folder dir (absolute), starts the sandbox API,
// and writes the config and any sample file not already there.
func Prepare(dir string) (*Sandbox, error) {
	for _, sub := range []string{"_graded", "_thumbnails", "received", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("demo: create the demo folder: %w", err)
		}
	}
	token := randomToken()
	srv, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "demo",
		Tokens:    map[string]odailiestest.Perm{token: odailiestest.Read | odailiestest.Write | odailiestest.Upload},
		Dir:       filepath.Join(dir, "received"),
	})
	if err != nil {
		return nil, fmt.Errorf("demo: start the sandbox API: %w", err)
	}
	sb := &Sandbox{Dir: dir, Config: filepath.Join(dir, "config.toml"), API: srv}
	if err := os.WriteFile(sb.Config, []byte(demoConfig(dir, srv.URL(), token)), 0o600); err != nil {
		srv.Close()
		return nil, fmt.Errorf("demo: write the config: %w", err)
	}
	if err := writeSamples(dir); err != nil {
		srv.Close()
		return nil, fmt.Errorf("demo: write sample files: %w", err)
	}
	return sb, nil
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

// Banner says what the demo set up and what to try.
func Banner(w io.Writer, dir, api string) {
	line := strings.Repeat("─", 72)
	fmt.Fprintf(w, "%s\nodailies-uploader demo\n\n", line)
	fmt.Fprintf(w, "  sandbox API   %s (project \"demo\")\n", api)
	fmt.Fprintf(w, "  watching      %s\n", filepath.Join(dir, "_graded"))
	fmt.Fprintf(w, "                %s\n", filepath.Join(dir, "_thumbnails"))
	fmt.Fprintf(w, "  received      %s\n", filepath.Join(dir, "received"))
	fmt.Fprintf(w, "  config        %s\n", filepath.Join(dir, "config.toml"))
	fmt.Fprintf(w, "  dashboard     http://%s/ (ui.listen)\n\n", config.DefaultUIListen)
	fmt.Fprintf(w, "Sample files are being uploaded. Drop your own files into _graded or\n")
	fmt.Fprintf(w, "_thumbnails and watch them arrive under received/. In another terminal:\n")
	fmt.Fprintf(w, "  go run ./cmd/odailies-uploader status -config %s\n", filepath.Join(dir, "config.toml"))
	fmt.Fprintf(w, "Ctrl-C stops the demo.\n%s\n", line)
}
