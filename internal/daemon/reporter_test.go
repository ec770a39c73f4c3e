package daemon

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestStatusWriteFailureIsLoggedOncePerChangeAndHourly(t *testing.T) {
	var buf syncBuffer
	r := &reporter{path: "/state/status.json", log: slog.New(slog.NewTextHandler(&buf, nil))}
	full := errors.New("write status: no space left on device")
	start := time.Now()
	for i := range 1800 { // an hour of rewrites every 2 s
		r.writeFailed(full, start.Add(time.Duration(i)*2*time.Second))
	}
	if n := strings.Count(buf.String(), "cannot write the status file"); n != 1 {
		t.Errorf("logged %d times in an hour, want once:\n%s", n, buf.String())
	}
	r.writeFailed(full, start.Add(time.Hour+time.Second))
	r.writeFailed(errors.New("write status: permission denied"), start.Add(time.Hour+2*time.Second))
	r.writeFailed(nil, start.Add(time.Hour+3*time.Second))
	r.writeFailed(nil, start.Add(time.Hour+4*time.Second))
	out := buf.String()
	if n := strings.Count(out, "cannot write the status file"); n != 3 {
		t.Errorf("logged %d failures, want 3 (first, hourly repeat, new cause):\n%s", n, out)
	}
	if n := strings.Count(out, "can be written again"); n != 1 {
		t.Errorf("logged the recovery %d times, want once:\n%s", n, out)
	}
}
