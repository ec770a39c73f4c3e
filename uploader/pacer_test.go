package uploader

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// bubbleClock is a wall clock that starts at base and moves with the
// bubble's fake time.
func bubbleClock(base time.Time) func() time.Time {
	start := time.Now()
	return func() time.Time { return base.Add(time.Since(start)) }
}

// Four readers share a pacer whose schedule drops from unlimited to
// 100 KB/s, rises to 400 KB/s and then lifts the cap, each change
// seconds apart: the bytes read each second follow within a second.
func TestPacerFollowsSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		paris := mustZone(t, "Europe/Paris")
		base := time.Date(2026, 3, 28, 23, 59, 58, 0, paris) // across midnight too
		s := mustSchedule(t, paris,
			"Sat 23:59:58-23:59:59 off", // the first second: nothing to pace
			"23:59:59-00:00:04 100KB/s",
			"Sun 00:00:04-00:00:09 400KB/s")
		now := bubbleClock(base)
		p := newPacer(Options{BandwidthSchedule: s, Now: now}.withDefaults())
		ctx, cancel := context.WithCancel(t.Context())
		var sent atomic.Int64
		var wg sync.WaitGroup
		wg.Go(func() { p.follow(ctx) })
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					n, err := p.wait(ctx, 1000) // small reads: a fine count
					if err != nil {
						return
					}
					sent.Add(int64(n))
					if p.limitNow() == 0 {
						time.Sleep(time.Millisecond) // "unlimited": 1000 bytes per worker per ms
					}
				}
			})
		}
		perSecond := make([]int64, 12)
		for i := range perSecond {
			before := sent.Load()
			time.Sleep(time.Second)
			perSecond[i] = sent.Load() - before
		}
		cancel()
		wg.Wait()
		// The cap of each second; 0 is unlimited. A new limiter starts
		// with one chunk of burst, which lands in the second before or
		// after the change, whichever its goroutine runs in.
		want := []int64{0, 100e3, 100e3, 100e3, 100e3, 100e3, 400e3, 400e3, 400e3, 400e3, 400e3, 0}
		for i, w := range want {
			lo, hi := int64(3e6), int64(5e6) // 4 readers of 1000 bytes a millisecond
			if w > 0 {
				lo, hi = w*9/10, w*11/10+maxChunk
			}
			if perSecond[i] < lo || perSecond[i] > hi {
				t.Errorf("second %d (from %s): %d bytes, want %d to %d; every second: %v",
					i, base.Add(time.Duration(i)*time.Second).Format("15:04:05"), perSecond[i], lo, hi, perSecond)
			}
		}
	})
}

// A reader asleep on a reservation at a low rate wakes when the cap
// lifts, instead of sleeping out the old rate.
func TestPacerWakesOnChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base := time.Date(2026, 4, 13, 12, 0, 0, 0, time.UTC)
		s := mustSchedule(t, time.UTC, "12:00-12:00:01 1KB/s")
		p := newPacer(Options{BandwidthSchedule: s, Now: bubbleClock(base)}.withDefaults())
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go p.follow(ctx)
		start := time.Now()
		for range 3 { // 1000 bytes of burst, then 2 s of debt at 1 KB/s
			if _, err := p.wait(ctx, 1000); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("waits took %s, want 1s: the cap ended at 12:00:01", took)
		}
		if limit, next := p.state(); limit != 0 || !next.Equal(base.AddDate(0, 0, 1)) {
			t.Errorf("state after 12:00:01: %d until %s, want unlimited until 12:00 tomorrow", limit, next)
		}
	})
}

// A wall clock that jumps (a laptop woken from sleep, a clock set by
// hand) is seen within a second, though the timer waited for the old
// next change.
func TestPacerClockJump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base := time.Date(2026, 4, 13, 12, 0, 0, 0, time.UTC)
		var jump atomic.Int64
		clock := bubbleClock(base)
		now := func() time.Time { return clock().Add(time.Duration(jump.Load())) }
		s := mustSchedule(t, time.UTC, "1MB/s", "18:00-19:00 off")
		p := newPacer(Options{BandwidthSchedule: s, Now: now}.withDefaults())
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go p.follow(ctx)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		jump.Store(int64(6*time.Hour + 30*time.Minute))
		time.Sleep(time.Second)
		synctest.Wait()
		if limit, _ := p.state(); limit != 0 {
			t.Errorf("a second after the clock jumped to 18:30: cap %d, want unlimited", limit)
		}
	})
}

func TestNewPacer(t *testing.T) {
	offOnly := mustSchedule(t, time.UTC, "off")
	if p := newPacer(Options{BandwidthSchedule: offOnly}.withDefaults()); p != nil {
		t.Error("a schedule that never caps makes a limit")
	}
	if p := newPacer(Options{}.withDefaults()); p != nil {
		t.Error("no bandwidth makes a limit")
	}
	p := newPacer(Options{Bandwidth: 5000}.withDefaults())
	if limit, next, _, scheduled := p.snapshot(); limit != 5000 || !next.IsZero() || scheduled {
		t.Errorf("constant bandwidth: %d, %s, scheduled %v", limit, next, scheduled)
	}
	if p.lim.Burst() != 5000 {
		t.Errorf("burst %d, want a second's worth, 5000", p.lim.Burst())
	}
	var none *pacer
	if limit, _, _, _ := none.snapshot(); limit != 0 {
		t.Error("nil pacer is not unlimited")
	}
}

// limitNow is the limit in force, for tests.
func (p *pacer) limitNow() int64 {
	l, _ := p.state()
	return l
}
