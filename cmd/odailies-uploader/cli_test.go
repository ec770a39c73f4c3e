package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// cliResult is what one command run printed and returned.
type cliResult struct {
	code           int
	err            error
	stdout, stderr string
}

// all is everything a person would see: both streams and the error line
// main prints.
func (r cliResult) all() string {
	msg := ""
	if r.err != nil {
		msg = r.err.Error()
	}
	return r.stdout + r.stderr + msg
}

// runCLI runs the command line args with env as the environment.
func runCLI(t *testing.T, env map[string]string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{
		stdin:  strings.NewReader(""),
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(k string) string { return env[k] },
	}
	ctx := t.Context()
	if len(args) > 0 && args[0] == "run" {
		// The daemon must not touch the system's state and log folders,
		// and it stops as soon as it has started.
		isolateRun(t, args)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		ctx = cctx
	}
	err := c.main(ctx, args)
	return cliResult{code: exitCode(err), err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// isolateRun points the state and log of the config given to run at a
// temporary folder, unless the config sets them.
func isolateRun(t *testing.T, args []string) {
	t.Helper()
	for i, a := range args {
		if a != "-config" || i+1 >= len(args) {
			continue
		}
		data, err := os.ReadFile(args[i+1])
		if err != nil {
			return
		}
		dir := t.TempDir()
		body := string(data)
		if !strings.Contains(body, "[state]") {
			body += "\n[state]\ndir = " + configtest.Quote(filepath.Join(dir, "state")) + "\n"
		}
		if !strings.Contains(body, "[log]") {
			body += "\n[log]\nfile = " + configtest.Quote(filepath.Join(dir, "log", "uploader.log")) + "\n"
		}
		if err := os.WriteFile(args[i+1], []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTopLevelHelpListsEveryCommand(t *testing.T) {
	r := runCLI(t, nil, "-h")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	for _, cmd := range commands {
		if !strings.Contains(r.stdout, "\n  "+cmd.name+" ") {
			t.Errorf("help does not list %q:\n%s", cmd.name, r.stdout)
		}
	}
}

func TestCommandHelpAndBadFlags(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"check", "-h"}, 0, "Usage: odailies-uploader check [-config FILE] [-offline]"},
		{[]string{"check", "-h"}, 0, "-offline"},
		{[]string{"run", "-h"}, 0, "Usage: odailies-uploader run [-config FILE]"},
		{[]string{"version", "-h"}, 0, "Usage: odailies-uploader version"},
		{[]string{"check", "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"run", "extra"}, 2, "Usage: odailies-uploader run"},
		{[]string{"version", "extra"}, 2, "Usage: odailies-uploader version"},
		{[]string{"nonsense"}, 2, "Commands:"},
		{[]string{}, 2, "Commands:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d (err %v)", r.code, tt.code, r.err)
			}
			if !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, r.stderr)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"help", errHelp, 0},
		{"usage", usageErrorf("bad"), 2},
		{"config", config.Errorf("bad"), 2},
		{"wrapped config", errors.Join(errors.New("x"), config.Errorf("bad")), 2},
		{"runtime", errors.New("disk full"), 1},
		{"reported", errReported, 1},
		{"cancelled", context.Canceled, 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	r := runCLI(t, nil, "version")
	if r.code != 0 {
		t.Fatalf("exit %d: %v", r.code, r.err)
	}
	for _, want := range []string{"odailies-uploader ", "commit:", "go:", "platform:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, r.stdout)
		}
	}
}
