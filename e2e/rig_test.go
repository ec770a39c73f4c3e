package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
	"github.com/odailies/odailies-uploader/internal/s3test"
	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

// bin is the daemon built once for all tests (with the race detector).
var bin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "odailies-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "odailies-uploader")
	build := exec.Command("go", "build", "-C", "..", "-race", "-o", bin, "./cmd/odailies-uploader")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the daemon:", err)
		return 1
	}
	defer removeCreatedUser()
	return m.Run()
}

// rig is one test's world: a real S3 server, the fake oDailies API signing
// real SigV4 URLs to it (optionally through a toxiproxy link), a watch
// root, and the config the daemon runs with.
type rig struct {
	t       *testing.T
	dir     string
	root    string
	state   string
	logFile string
	config  string
	token   string
	s3      *s3test.Server
	api     *odailiestest.Server
	link    *toxi.Toxi        // nil unless rigOptions.link
	puts    *putCounter       // nil unless rigOptions.countPuts
	corrupt *s3test.Corrupter // nil unless rigOptions.corrupt
	signer  *presigner

	mu      sync.Mutex
	outputs []*bytes.Buffer // every command output, checked for secrets
}

type rigOptions struct {
	link      bool              // put toxiproxy between the daemon and S3
	perm      odailiestest.Perm // the token's flags; 0 means all
	settle    string            // watch.settle; "" means 300ms
	workers   int               // 0 means 4
	extraCfg  string            // appended to the config
	countPuts bool              // count PUTs per key on their way to storage (rig.puts)
	apiURL    string            // api.base_url; "" means the fake API's
	rescan    string            // watch.rescan; "" means the default
	tls       bool              // storage over https; the daemon trusts its CA through SSL_CERT_FILE
	corrupt   int               // damage the first body on this many connections to storage (rig.corrupt)

	// projects are further projects of the fake API, with their tokens
	// (several shows); their keys in storage start with
	// odailiestest.ProjectDir(project).
	projects map[string]map[string]odailiestest.Perm
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), token: "e2e-token/with+odd&chars-0123456789abcdef"}
	r.root = filepath.Join(r.dir, "root")
	r.state = filepath.Join(r.dir, "state")
	r.logFile = filepath.Join(r.dir, "log", "uploader.log")
	for _, d := range []string{"_graded", "_thumbnails"} {
		mustMkdir(t, filepath.Join(r.root, d))
	}
	if o.tls {
		if o.corrupt > 0 || o.countPuts {
			t.Fatal("rig: corrupt and countPuts read HTTP on the way: they need plain-http storage")
		}
		r.s3 = s3test.StartTLS(t)
	} else {
		r.s3 = s3test.Start(t)
	}
	endpoint := r.s3.Endpoint
	if o.link {
		r.link = toxi.Proxy(t, r.s3.Host())
		endpoint = r.s3.Scheme() + "://" + r.link.Addr
	}
	if o.corrupt > 0 {
		r.corrupt = s3test.Corrupt(t, strings.TrimPrefix(endpoint, "http://"), s3test.CorruptOptions{Connections: o.corrupt})
		endpoint = "http://" + r.corrupt.Addr
	}
	if o.countPuts {
		r.puts = newPutCounter(t, strings.TrimPrefix(endpoint, "http://"), r.s3.Bucket)
		endpoint = "http://" + r.puts.addr
	}
	r.signer = newPresigner(t, r.s3, endpoint)
	perm := o.perm
	if perm == 0 {
		perm = odailiestest.Read | odailiestest.Write | odailiestest.Upload
	}
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: "e2e",
		Tokens:    map[string]odailiestest.Perm{r.token: perm},
		Projects:  o.projects,
		Dir:       filepath.Join(r.dir, "fake-storage"),
		Presign:   r.signer.presign,
	})
	if err != nil {
		t.Fatalf("start the fake API: %v", err)
	}
	t.Cleanup(func() { api.Close() })
	r.api = api
	r.writeConfig(o)
	t.Cleanup(r.checkSecrets)
	return r
}

func (r *rig) writeConfig(o rigOptions) {
	settle := o.settle
	if settle == "" {
		settle = "300ms"
	}
	workers := o.workers
	if workers == 0 {
		workers = 4
	}
	apiURL := o.apiURL
	if apiURL == "" {
		apiURL = r.api.URL()
	}
	watchExtra := ""
	if o.rescan != "" {
		watchExtra = fmt.Sprintf("rescan = %q\n", o.rescan)
	}
	body := fmt.Sprintf(`[api]
base_url = %q
project_id = "e2e"
token = %q
[watch]
root = %q
settle = %q
%s[upload]
workers = %d
retry_min = "200ms"
retry_max = "2s"
stall_timeout = "5s"
[state]
dir = %q
[log]
file = %q
level = "debug"
status_every = "1s"
%s`, apiURL, r.token, r.root, settle, watchExtra, workers, r.state, r.logFile, o.extraCfg)
	r.config = filepath.Join(r.dir, "config.toml")
	if err := os.WriteFile(r.config, []byte(body), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// result is a finished command.
type result struct {
	code   int
	stdout string
	stderr string
}

// cmd runs the daemon binary with args and -config, to completion.
func (r *rig) cmd(ctx context.Context, args ...string) result {
	r.t.Helper()
	c := r.command(ctx, args...)
	err := c.Run()
	return r.result(c, err)
}

func (r *rig) command(ctx context.Context, args ...string) *exec.Cmd {
	return r.commandAs(ctx, nil, r.config, args...)
}

// cmdAs is cmd with another config, run through the command prefix as
// (e.g. setpriv …; none when nil), which must exec the binary it is
// given last.
func (r *rig) cmdAs(ctx context.Context, as []string, config string, args ...string) result {
	r.t.Helper()
	c := r.commandAs(ctx, as, config, args...)
	err := c.Run()
	return r.result(c, err)
}

func (r *rig) commandAs(ctx context.Context, as []string, config string, args ...string) *exec.Cmd {
	// Flags go before a command's arguments.
	full := append([]string{bin, args[0], "-config", config}, args[1:]...)
	if len(as) > 0 {
		full = append(slices.Clone(as), full...)
	}
	c := exec.CommandContext(ctx, full[0], full[1:]...)
	c.Stdout, c.Stderr = r.capture(), r.capture()
	c.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	if r.s3.CABundle != "" {
		c.Env = append(c.Env, "SSL_CERT_FILE="+r.s3.CABundle) // the old bundle and the test CA
	}
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = 20 * time.Second
	return c
}

func (r *rig) capture() *bytes.Buffer {
	b := new(bytes.Buffer)
	r.mu.Lock()
	r.outputs = append(r.outputs, b)
	r.mu.Unlock()
	return b
}

func (r *rig) result(c *exec.Cmd, err error) result {
	res := result{stdout: c.Stdout.(*bytes.Buffer).String(), stderr: c.Stderr.(*bytes.Buffer).String()}
	if c.ProcessState != nil {
		res.code = c.ProcessState.ExitCode()
	} else if err != nil {
		r.t.Fatalf("%v: %v", c.Args, err)
	}
	return res
}

// sync runs `sync` and fails the test unless it exits with want.
func (r *rig) sync(want int) result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 3*time.Minute)
	defer cancel()
	res := r.cmd(ctx, "sync")
	if res.code != want {
		r.t.Fatalf("sync exited %d, want %d\nstderr:\n%s\nlog:\n%s", res.code, want, res.stderr, r.logTail())
	}
	return res
}

// daemon is a `run` in the background.
type daemon struct {
	r    *rig
	cmd  *exec.Cmd
	done chan error
}

func (r *rig) start() *daemon {
	r.t.Helper()
	return r.startAs(nil)
}

// startAs starts `run` through the command prefix as (see cmdAs).
func (r *rig) startAs(as []string) *daemon {
	r.t.Helper()
	c := r.commandAs(context.Background(), as, r.config, "run")
	if err := c.Start(); err != nil {
		r.t.Fatalf("start run: %v", err)
	}
	d := &daemon{r: r, cmd: c, done: make(chan error, 1)}
	go func() { d.done <- c.Wait() }()
	r.t.Cleanup(func() { d.kill() })
	return d
}

// stop sends SIGTERM and expects a clean exit 0 within a few seconds.
func (d *daemon) stop() {
	d.r.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.r.t.Fatalf("run did not stop within 15s of SIGTERM\nlog:\n%s", d.r.logTail())
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		d.r.t.Fatalf("run exited %d after SIGTERM, want 0\nstderr:\n%s\nlog:\n%s",
			code, d.cmd.Stderr.(*bytes.Buffer).String(), d.r.logTail())
	}
}

// kill sends SIGKILL and reaps the process.
func (d *daemon) kill() {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Kill()
	<-d.done
}
