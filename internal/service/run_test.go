package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	service "github.com/kardianos/service"
)

// managerRun plays a Unix service manager: Start, wait, Stop.
type managerRun struct {
	p    *program
	wait func()
}

func (m managerRun) Run() error {
	if err := m.p.Start(nil); err != nil {
		return err
	}
	m.wait()
	return m.p.Stop(nil)
}

// windowsRun plays the Windows manager while nobody asks the service to
// stop: Start, then block.
type windowsRun struct {
	p       *program
	release chan struct{}
}

func (m windowsRun) Run() error {
	if err := m.p.Start(nil); err != nil {
		return err
	}
	<-m.release
	return nil
}

func TestServiceProgramStopsDaemonOnSignal(t *testing.T) {
	ctx, signal := context.WithCancel(t.Context())
	daemon := func(ctx context.Context) error { <-ctx.Done(); return nil }
	p := newProgram(ctx, daemon, time.Minute)
	errc := make(chan error, 1)
	go func() { errc <- p.serve(managerRun{p: p, wait: p.wait}) }()
	signal()
	if err := <-errc; err != nil {
		t.Fatalf("serve = %v, want nil", err)
	}
}

func TestServiceProgramStopCancelsDaemon(t *testing.T) {
	daemon := func(ctx context.Context) error { <-ctx.Done(); return nil }
	p := newProgram(t.Context(), daemon, time.Minute)
	if err := p.serve(managerRun{p: p, wait: func() {}}); err != nil {
		t.Fatalf("serve = %v, want nil", err)
	}
}

func TestServiceProgramReturnsDaemonFailure(t *testing.T) {
	failure := errors.New("auth refused")
	var reported []string
	release := make(chan struct{})
	defer close(release)
	p := newProgram(t.Context(), func(context.Context) error { return failure }, time.Minute)
	p.report = func(msg string, err error) { reported = append(reported, msg+": "+err.Error()) }
	if err := p.serve(windowsRun{p: p, release: release}); !errors.Is(err, failure) {
		t.Fatalf("serve = %v, want %v", err, failure)
	}
	if len(reported) != 1 || !strings.Contains(reported[0], "auth refused") {
		t.Errorf("reported %q, want the daemon's failure once", reported)
	}
}

func TestServiceProgramStopGivesUpAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck := make(chan struct{})
		p := newProgram(t.Context(), func(context.Context) error { <-stuck; return nil }, 5*time.Second)
		var reported []string
		p.report = func(msg string, err error) { reported = append(reported, msg+": "+err.Error()) }
		start := time.Now()
		err := p.serve(managerRun{p: p, wait: func() {}})
		if err == nil || !strings.Contains(err.Error(), "still running 5s") {
			t.Errorf("serve = %v, want the stop timeout", err)
		}
		if waited := time.Since(start); waited != 5*time.Second {
			t.Errorf("Stop waited %v, want 5s", waited)
		}
		if len(reported) != 1 {
			t.Errorf("reported %q, want the timeout once", reported)
		}
		close(stuck)
	})
}

func TestServiceRunInATerminalJustRunsTheDaemon(t *testing.T) {
	if !service.Interactive() {
		t.Skip("running under a service manager")
	}
	cfg := serviceTestConfig(t, "")
	failure := errors.New("daemon failed")
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "main's")
	err := Run(ctx, cfg, slog.New(slog.DiscardHandler), func(got context.Context) error {
		if got.Value(key{}) != "main's" {
			t.Error("daemon did not get main's context")
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("Run = %v, want %v", err, failure)
	}
}
