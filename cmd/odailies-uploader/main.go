// Command odailies-uploader watches the graded-clip and thumbnail folders of
// an ingest machine and uploads every finished file to oDailies.
//
// main is the composition root: it turns the TOML config into each package's
// Options, wires watcher → queue → uploader under one errgroup, and is the
// only place that maps errors to exit codes (0 success, 1 runtime failure,
// 2 usage or configuration error).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/daemon"
	"github.com/odailies/odailies-uploader/internal/service"
)

// command is one entry of the command table.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

// commands is the fixed command line of DESIGN.md, in the order help shows it.
var commands = []command{
	{"run", "run the daemon in the foreground (what the service runs)", cmdRun},
	{"sync", "one pass: scan, upload everything settled, then exit", cmdSync},
	{"status", "show what the daemon is doing (-json for scripts)", cmdStatus},
	{"check", "validate the config and ask the API whether the token may upload", cmdCheck},
	{"retry", "put failed uploads back in the queue", cmdRetry},
	{"why", "say why a file is or is not uploaded (ignored, settling, held open, queued, failed…)", cmdWhy},
	{"report", "the delivery report: every file uploaded, its MD5, how it was verified", cmdReport},
	{"install", "install the system service", cmdInstall},
	{"uninstall", "remove the system service", cmdUninstall},
	{"start", "start the system service", cmdStart},
	{"stop", "stop the system service", cmdStop},
	{"restart", "restart the system service", cmdRestart},
	{"demo", "try it: a local sandbox API, sample files, the daemon in the foreground", cmdDemo},
	{"clips", "read (clips get) or write (clips patch) clip metadata", cmdClips},
	{"version", "print version, commit and Go version", cmdVersion},
}

// cli carries the process's standard streams and environment so commands
// can be run from tests without touching the real ones.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func main() {
	daemon.TuneGC()
	ctx, stop := stopContext()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := c.main(ctx, os.Args[1:])
	stop()
	code := exitCode(err)
	if err != nil && !errors.Is(err, errReported) && !errors.Is(err, errHelp) {
		fmt.Fprintf(os.Stderr, "odailies-uploader: %v\n", err)
	}
	os.Exit(code)
}

// stopContext is main's context: it ends on SIGINT, SIGTERM or SIGHUP (an
// SSH session closing is a stop request, not a kill). After the first
// signal the default handling is back, so a second Ctrl-C ends the
// process at once; and whatever happens, the process exits by itself
// service.HardStop after the first, before the service manager kills it.
func stopContext() (ctx context.Context, end func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	ending := make(chan struct{})
	go func() {
		<-ctx.Done()
		stop()
		select {
		case <-ending:
			return // main is returning: not a signal
		default:
		}
		time.AfterFunc(service.HardStop, func() {
			fmt.Fprintf(os.Stderr, "odailies-uploader: still not stopped %s after the stop request; exiting now (uploads in flight are sent again at the next start)\n", service.HardStop)
			os.Exit(1)
		})
	}()
	return ctx, func() { close(ending); stop() }
}

// main dispatches args to a command.
func (c *cli) main(ctx context.Context, args []string) error {
	if len(args) == 0 {
		c.usage(c.stderr)
		return usageErrorf("no command given")
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		c.usage(c.stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd.run(ctx, c, args[1:])
		}
	}
	c.usage(c.stderr)
	return usageErrorf("unknown command %q", name)
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: odailies-uploader <command> [-config FILE] [options]\n\nCommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, "\nWithout -config, the config is read from %s.\n", config.DefaultPath())
	fmt.Fprintf(w, "Run 'odailies-uploader <command> -h' for a command's options.\n")
}

// errHelp is returned when -h printed a command's usage: exit 0.
var errHelp = errors.New("help requested")

// errReported marks a failure whose explanation has already been printed;
// main exits 1 without printing it again.
var errReported = errors.New("failure already reported")

// usageError is a mistake on the command line or in the config: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exitCode is the one place errors become exit codes.
func exitCode(err error) int {
	var ue *usageError
	var ce *config.Error
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue), errors.As(err, &ce):
		return 2
	default:
		return 1
	}
}

// commandFlags returns the flag set of command name with -config
// registered. Its usage reads "Usage: odailies-uploader NAME [-config FILE]
// ARGSUSAGE", then summary, then the flags.
func (c *cli) commandFlags(name, argsUsage, summary string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	config := fs.String("config", config.DefaultPath(), "read the config from `FILE`")
	fs.Usage = func() {
		line := "Usage: odailies-uploader " + name + " [-config FILE]"
		if argsUsage != "" {
			line += " " + argsUsage
		}
		fmt.Fprintf(fs.Output(), "%s\n\n%s\n\nOptions:\n", line, summary)
		fs.PrintDefaults()
	}
	return fs, config
}

// parse parses a command's arguments. The flag package has already printed
// a bad flag and the usage, so the returned usage error (exit 2) is not
// printed again; -h gives errHelp (exit 0).
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	}
	return &usageError{errors.Join(errReported, err)}
}

// config loads the config at path, printing each warning to stderr.
func (c *cli) config(path string) (*config.Config, error) {
	cfg, warnings, err := config.Load(path, c.getenv)
	for _, w := range warnings {
		fmt.Fprintf(c.stderr, "odailies-uploader: warning: %s\n", w)
	}
	return cfg, err
}

// noArgs refuses positional arguments for commands that take none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	fs.Usage()
	return &usageError{fmt.Errorf("%s takes no arguments, got %q", fs.Name(), fs.Arg(0))}
}
