package uploader

import (
	"context"
	"testing"
	"time"
)

// acquireAsync asks for a slot for show in the background; the channel
// gets the error when it returns.
func acquireAsync(ctx context.Context, s *slots, show string, other bool) <-chan error {
	c := make(chan error, 1)
	go func() { c <- s.acquire(ctx, show, other) }()
	return c
}

// waitWaiting waits until n acquires are queued.
func waitWaiting(t *testing.T, s *slots, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		got := len(s.waiting)
		s.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acquires waiting, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func granted(c <-chan error) bool {
	select {
	case err := <-c:
		return err == nil
	case <-time.After(50 * time.Millisecond):
		return false
	}
}

// TestSlotsShowAloneTakesAll: one show with work gets every slot, at once.
func TestSlotsShowAloneTakesAll(t *testing.T) {
	s := newSlots(4)
	for i := range 4 {
		if err := s.acquire(t.Context(), "A", true); err != nil {
			t.Fatalf("acquire %d: %v", i, err)
		}
	}
	if s.free != 0 || s.held["A"] != 4 {
		t.Fatalf("free %d, A holds %d: want 0 and 4", s.free, s.held["A"])
	}
}

// TestSlotsFreedSlotGoesToShowHoldingFewest: with show A holding every
// slot and asking for more first, a slot that comes free goes to B, which
// holds none; the next to A and B in turn, until they hold two each.
func TestSlotsFreedSlotGoesToShowHoldingFewest(t *testing.T) {
	s := newSlots(4)
	for range 4 {
		if err := s.acquire(t.Context(), "A", true); err != nil {
			t.Fatal(err)
		}
	}
	a := acquireAsync(t.Context(), s, "A", true)
	waitWaiting(t, s, 1)
	b := acquireAsync(t.Context(), s, "B", true)
	waitWaiting(t, s, 2)
	s.release("A", true)
	if !granted(b) {
		t.Fatal("B, holding nothing, did not get the freed slot")
	}
	if granted(a) {
		t.Fatal("A got a slot while none was free")
	}
	b2 := acquireAsync(t.Context(), s, "B", true)
	waitWaiting(t, s, 2)
	s.release("A", true) // A 2, B 1: B again
	if !granted(b2) {
		t.Fatal("B (1 slot) did not get the slot A (2 after release) let go")
	}
	s.release("B", true) // A 2, B 1: the waiting A would hold 3; it is the only one waiting
	if !granted(a) {
		t.Fatal("A, the only one waiting, did not get a free slot")
	}
	if s.held["A"] != 3 || s.held["B"] != 1 || s.free != 0 {
		t.Fatalf("held %v free %d", s.held, s.free)
	}
}

// TestSlotsCancelledWaitHoldsNothing: a wait that ends with its context
// leaves no slot held and no waiter queued.
func TestSlotsCancelledWaitHoldsNothing(t *testing.T) {
	s := newSlots(1)
	if err := s.acquire(t.Context(), "A", false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	c := acquireAsync(ctx, s, "B", true)
	waitWaiting(t, s, 1)
	cancel()
	if err := <-c; err == nil {
		t.Fatal("a cancelled acquire returned nil")
	}
	waitWaiting(t, s, 0)
	s.release("A", false)
	if s.free != 1 || len(s.held) != 0 || s.others != 0 {
		t.Fatalf("after the release: free %d held %v others %d, want 1, none, 0", s.free, s.held, s.others)
	}
}

// TestSlotsWhenFull: the lanes' condition counts the slots of every show
// that carry a job outside the show's first class.
func TestSlotsWhenFull(t *testing.T) {
	s := newSlots(2)
	if err := s.acquire(t.Context(), "A", true); err != nil {
		t.Fatal(err)
	}
	if err := s.acquire(t.Context(), "B", false); err != nil { // a thumbnail of B
		t.Fatal(err)
	}
	full := make(chan context.Context, 1)
	go func() {
		ctx, _, err := s.whenFull(t.Context())
		if err == nil {
			full <- ctx
		}
	}()
	select {
	case <-full:
		t.Fatal("full while one slot carries a thumbnail")
	case <-time.After(50 * time.Millisecond):
	}
	s.release("B", false)
	if err := s.acquire(t.Context(), "B", true); err != nil {
		t.Fatal(err)
	}
	var ctx context.Context
	select {
	case ctx = <-full:
	case <-time.After(5 * time.Second):
		t.Fatal("not full with clips of A and B in both slots")
	}
	s.release("A", true)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the full context did not end when a slot came free")
	}
}

// TestSlotsFirstClassPasses: while every slot carries a job outside its
// show's first class, a first-class job goes at once, beyond the budget,
// also one that was waiting when the pool filled up; it waits for a free
// slot otherwise.
func TestSlotsFirstClassPasses(t *testing.T) {
	s := newSlots(1)
	if err := s.acquire(t.Context(), "A", true); err != nil {
		t.Fatal(err)
	}
	if !granted(acquireAsync(t.Context(), s, "B", false)) {
		t.Fatal("B's thumbnail waited while the only slot carried a clip")
	}
	s.release("B", false)
	s.release("A", true)
	if s.free != 1 || s.others != 0 {
		t.Fatalf("free %d others %d after both released", s.free, s.others)
	}

	s = newSlots(2)
	for _, other := range []bool{false, true} { // A: a thumbnail and a clip
		if err := s.acquire(t.Context(), "A", other); err != nil {
			t.Fatal(err)
		}
	}
	c := acquireAsync(t.Context(), s, "C", true)
	waitWaiting(t, s, 1)
	b := acquireAsync(t.Context(), s, "B", false)
	waitWaiting(t, s, 2)
	if granted(b) {
		t.Fatal("B's thumbnail passed while a slot carried a thumbnail")
	}
	s.release("A", false) // the slot goes to C (first come); then both carry clips
	if !granted(c) {
		t.Fatal("C did not get the freed slot")
	}
	if !granted(b) {
		t.Fatal("B's waiting thumbnail did not pass once every slot carried a clip")
	}
}
