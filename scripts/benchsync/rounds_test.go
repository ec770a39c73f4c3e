//go:build linux

package main

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func walls(ds ...time.Duration) []usage {
	us := make([]usage, len(ds))
	for i, d := range ds {
		us[i] = usage{wall: d}
	}
	return us
}

// TestSameRound: each round's ratio is taken within the round, not best
// against best, and the median is the middle one (or the mean of the two
// middle ones).
func TestSameRound(t *testing.T) {
	ms := time.Millisecond
	// The machine slows down over the rounds: the best of a (round 1)
	// against the best of b (round 1 too) would say 1.2; every round says
	// 1.1 or so.
	a := walls(1100*ms, 2200*ms, 3300*ms)
	b := walls(1000*ms, 2000*ms, 2750*ms)
	s := sameRound(a, b, wallOf)
	if s.n != 3 || !near(s.median, 1.1) || !near(s.lo, 1.1) || !near(s.hi, 1.2) {
		t.Errorf("sameRound = %+v, want median 1.1, range 1.1-1.2 over 3", s)
	}
	// An even count: the mean of the middle two. A round b did not run
	// (or measured nothing) is left out.
	s = sameRound(walls(1000*ms, 1100*ms, 1300*ms, 1400*ms, 500*ms), walls(1000*ms, 1000*ms, 1000*ms, 1000*ms, 0), wallOf)
	if s.n != 4 || !near(s.median, 1.2) || !near(s.lo, 1) || !near(s.hi, 1.4) {
		t.Errorf("sameRound = %+v, want median 1.2, range 1-1.4 over 4", s)
	}
	if got := s.String(); got != "1.20x (1.00-1.40, 4 rounds)" {
		t.Errorf("String() = %q", got)
	}
	if s := sameRound(nil, walls(ms), wallOf); s.n != 0 {
		t.Errorf("sameRound without rounds = %+v", s)
	}
}
