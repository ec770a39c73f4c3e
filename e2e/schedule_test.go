package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBandwidthScheduleFollowsTheClock: a schedule computed from now caps
// a running upload at 500 KB/s, then at 2 MB/s from a time seconds
// ahead. The daemon's send rate (bytes it writes, read from
// /proc/PID/io) follows within a second, and status.json says the cap in
// force and when it changes.
func TestBandwidthScheduleFollowsTheClock(t *testing.T) {
	if _, err := os.Stat("/proc/self/io"); err != nil {
		t.Fatalf("this test reads the daemon's byte count from /proc/PID/io: %v", err)
	}
	r := newRig(t, rigOptions{workers: 1})
	now := time.Now()
	t1 := now.Add(7 * time.Second).Truncate(time.Second)
	t2 := t1.Add(5 * time.Second)
	clock := func(x time.Time) string { return x.Format("15:04:05") }
	sched := fmt.Sprintf("bandwidth_schedule = [%q, %q]\n",
		clock(now.Add(-time.Minute))+"-"+clock(t1)+" 500KB/s", clock(t1)+"-"+clock(t2)+" 2MB/s")
	cfg, err := os.ReadFile(r.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("[upload]\n"), []byte("[upload]\n"+sched), 1)
	if err := os.WriteFile(r.config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	d := r.start()
	writeFile(t, r.root, "_graded/big.mov", bytes.Repeat([]byte("0123456789abcdef"), 16<<20/16))

	type sample struct {
		at   time.Time
		sent int64
	}
	var samples []sample
	var capSeen bool
	for time.Now().Before(t2.Add(500 * time.Millisecond)) {
		samples = append(samples, sample{time.Now(), written(t, d.cmd.Process.Pid)})
		if s, ok := r.statusFile(); ok && time.Now().Before(t1.Add(-time.Second)) && s.Bandwidth.Limit == 500_000 {
			capSeen = true
			if !s.Bandwidth.NextChange.Equal(t1) || s.Bandwidth.NextLimit != 2_000_000 || !s.Bandwidth.Scheduled {
				t.Errorf("status.json bandwidth = %+v, want 2MB/s from %s", s.Bandwidth, t1)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !capSeen {
		t.Errorf("status.json never showed the 500 KB/s cap before %s\nlog:\n%s", clock(t1), r.logTail())
	}
	rate := func(from, to time.Time) float64 {
		var a, b *sample
		for i := range samples {
			if a == nil && !samples[i].at.Before(from) {
				a = &samples[i]
			}
			if !samples[i].at.After(to) {
				b = &samples[i]
			}
		}
		if a == nil || b == nil || !b.at.After(a.at) {
			t.Fatalf("no samples between %s and %s", from, to)
		}
		return float64(b.sent-a.sent) / b.at.Sub(a.at).Seconds()
	}
	slow := rate(t1.Add(-3*time.Second), t1)
	fast := rate(t1.Add(time.Second), t2)
	t.Logf("send rate: %.0f B/s before %s, %.0f B/s from a second after", slow, clock(t1), fast)
	if slow < 400e3 || slow > 600e3 {
		t.Errorf("before %s: %.0f B/s, want about 500 KB/s\nlog:\n%s", clock(t1), slow, r.logTail())
	}
	if fast < 1.7e6 || fast > 2.3e6 {
		t.Errorf("a second after %s: %.0f B/s, want about 2 MB/s\nlog:\n%s", clock(t1), fast, r.logTail())
	}
	if !strings.Contains(r.logText(), "bandwidth cap changed by the schedule") {
		t.Errorf("the log does not say the cap changed\nlog:\n%s", r.logTail())
	}
	r.eventually("the upload to finish, unlimited after "+clock(t2), 30*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.Done == 1 && s.Bandwidth.Limit == 0
	})
	d.stop()
}

// written is the bytes the process has written (sockets included), from
// /proc/PID/io.
func written(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "io"))
	if err != nil {
		t.Fatalf("read the daemon's byte count: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("parse %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("no wchar in /proc/%d/io", pid)
	return 0
}
