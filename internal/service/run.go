package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	service "github.com/kardianos/service"

	"github.com/odailies/odailies-uploader/internal/config"
)

// serviceStopTimeout bounds how long Stop waits for the daemon. Windows
// gives a service seconds to stop; the daemon releases its leases and
// returns at once, so waiting longer only risks being killed mid-write.
const serviceStopTimeout = StopTimeout

// Run runs daemon until ctx is done. In a terminal (or a container)
// it just calls daemon; under the system's service manager it runs it as a
// kardianos service, so Windows's service control manager gets its answers
// and start and stop errors reach the service log (the Windows event log,
// syslog elsewhere) as well as logger. It returns daemon's error.
func Run(ctx context.Context, cfg *config.Config, logger *slog.Logger, daemon func(ctx context.Context) error) error {
	if service.Interactive() {
		return daemon(ctx)
	}
	completeAndLog(cfg.Service.Name, logger)
	p := newProgram(ctx, daemon, serviceStopTimeout)
	// Running needs only the name (the service manager already knows the
	// rest). On Unix, Run returns once the signal context is done or the
	// daemon has ended by itself, instead of waiting for a signal only.
	sc := &service.Config{
		Name:        cfg.Service.Name,
		DisplayName: cfg.Service.DisplayName,
		Description: cfg.Service.Description,
		Option:      service.KeyValue{"RunWait": p.wait},
	}
	s, err := service.New(p, sc)
	if err != nil {
		return fmt.Errorf("service %s: %w", sc.Name, err)
	}
	p.report = reporter(s, logger)
	return p.serve(s)
}

// completeAndLog fills in the service settings an MSI install could not
// write (Windows) and logs what it set; a failure costs only those settings.
func completeAndLog(name string, logger *slog.Logger) {
	set, err := completeSettings(name)
	if err != nil {
		logger.Warn("service settings not completed", "service", name, "err", err)
		return
	}
	if len(set) > 0 {
		logger.Info("service settings completed", "service", name, "set", set)
	}
}

// reporter logs an error to logger and to the service log, when one opens.
func reporter(s service.Service, logger *slog.Logger) func(msg string, err error) {
	sys, sysErr := s.Logger(nil)
	if sysErr != nil {
		logger.Warn("service log unavailable", "err", sysErr)
	}
	return func(msg string, err error) {
		logger.Error(msg, "err", err)
		if sys != nil {
			_ = sys.Error(msg + ": " + err.Error()) // nowhere left to report it
		}
	}
}

// program adapts the daemon to kardianos's Start and Stop.
type program struct {
	daemon  func(ctx context.Context) error
	parent  context.Context // signals from main
	ctx     context.Context // the daemon's: parent, or Stop
	cancel  context.CancelFunc
	timeout time.Duration
	report  func(msg string, err error)

	done chan struct{} // closed when daemon has returned
	err  error         // daemon's result; read after done
}

func newProgram(parent context.Context, daemon func(ctx context.Context) error, timeout time.Duration) *program {
	ctx, cancel := context.WithCancel(parent)
	return &program{
		daemon: daemon, parent: parent, ctx: ctx, cancel: cancel, timeout: timeout,
		report: func(string, error) {}, done: make(chan struct{}),
	}
}

// Start launches the daemon and returns at once, as a service must.
func (p *program) Start(service.Service) error {
	go func() {
		defer close(p.done)
		p.err = p.daemon(p.ctx)
	}()
	return nil
}

// Stop cancels the daemon and waits for it, at most p.timeout.
func (p *program) Stop(service.Service) error {
	p.cancel()
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
		// Run returns this error and serve reports it.
		return fmt.Errorf("daemon still running %s after stop was asked", p.timeout)
	}
}

// wait returns when main's signal context is done or the daemon has ended.
func (p *program) wait() {
	select {
	case <-p.parent.Done():
	case <-p.done:
	}
}

// runner is the part of service.Service that serve uses.
type runner interface{ Run() error }

// serve runs s and returns the daemon's error. If the daemon ends by itself,
// serve returns without waiting for Run: the Windows service manager would
// still believe the service runs, and only the process exiting makes it
// apply the restart-on-failure action.
func (p *program) serve(s runner) error {
	ran := make(chan error, 1)
	go func() { ran <- s.Run() }()
	select {
	case err := <-ran:
		if err != nil {
			p.report("run service", err)
			return fmt.Errorf("run service: %w", err)
		}
	case <-p.done:
	}
	<-p.done
	if p.err != nil {
		p.report("daemon stopped", p.err)
	}
	return p.err
}
