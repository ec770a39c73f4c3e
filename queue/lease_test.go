package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLeaseOrder(t *testing.T) {
	items := []Item{
		item("_graded/a.mov", 900),
		item("other/x", 5),
		item("_thumbnails/a.jpg", 10),
		item("_graded/b.mov", 20),
		item("zzz/y", 6),
		item("_thumbnails/b.jpg", 11),
		item("root.txt", 7),
	}
	tests := []struct {
		name     string
		priority []string
		class    string
		want     []string
	}{
		{"fifo without priority", nil, "", []string{
			"_graded/a.mov", "other/x", "_thumbnails/a.jpg", "_graded/b.mov", "zzz/y", "_thumbnails/b.jpg", "root.txt"}},
		{"priority then others fifo", []string{"_thumbnails", "_graded"}, "", []string{
			"_thumbnails/a.jpg", "_thumbnails/b.jpg", "_graded/a.mov", "_graded/b.mov", "other/x", "zzz/y", "root.txt"}},
		{"first class only", []string{"_thumbnails", "_graded"}, "_thumbnails", []string{
			"_thumbnails/a.jpg", "_thumbnails/b.jpg"}},
		{"second class only", []string{"_thumbnails", "_graded"}, "_graded", []string{
			"_graded/a.mov", "_graded/b.mov"}},
		{"a class listed twice keeps its first place", []string{"_graded", "_thumbnails", "_graded"}, "_graded", []string{
			"_graded/a.mov", "_graded/b.mov"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := open(t, dbPath(t), Options{Priority: tt.priority})
			enqueue(t, q, items...)
			var got []string
			for {
				j, ok := leaseNow(t, q, LeaseOptions{Class: tt.class})
				if !ok {
					break
				}
				got = append(got, j.Path)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("order %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestLeaseFIFOAcrossRestart: the order survives a reopen, and a released
// job keeps its place.
func TestLeaseFIFOAcrossRestart(t *testing.T) {
	path := dbPath(t)
	q := open(t, path, Options{})
	enqueue(t, q, item("c/1", 1), item("c/2", 2), item("c/3", 3))
	j := mustLease(t, q)
	if err := q.Release(j); err != nil {
		t.Fatal(err)
	}
	mustLease(t, q) // held when the process "dies"
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = open(t, path, Options{})
	if c := q.Counts(); c.Active != 0 || c.Queued != 3 {
		t.Fatalf("counts after reopen %+v", c)
	}
	for _, want := range []string{"c/1", "c/2", "c/3"} {
		if j := mustLease(t, q); j.Path != want {
			t.Fatalf("leased %s, want %s", j.Path, want)
		}
	}
}

func TestLeaseWokenByEnqueue(t *testing.T) {
	blocked := make(chan struct{}, 1)
	q := open(t, dbPath(t), Options{Priority: []string{"_thumbnails", "_graded"}, blocked: func() { blocked <- struct{}{} }})
	res := leaseAsync(t.Context(), q, LeaseOptions{Class: "_thumbnails"})
	<-blocked
	enqueue(t, q, item("_graded/small.mov", 1)) // another class: stays blocked
	<-blocked
	enqueue(t, q, item("_thumbnails/a.jpg", 10))
	r := <-res
	if r.err != nil || r.j.Path != "_thumbnails/a.jpg" {
		t.Fatalf("Lease = %+v, %v", r.j, r.err)
	}
}

// TestLeaseUnknownClass: a class the queue does not rank is a mistake of
// the caller, said at once rather than a Lease that never returns.
func TestLeaseUnknownClass(t *testing.T) {
	for _, prio := range [][]string{nil, {"_thumbnails", "_graded"}} {
		q := open(t, dbPath(t), Options{Priority: prio})
		enqueue(t, q, item("_stills/a.jpg", 1))
		_, err := q.Lease(t.Context(), LeaseOptions{Class: "_stills"})
		if err == nil || !strings.Contains(err.Error(), `class "_stills" is not one of the queue's priority classes`) {
			t.Errorf("priority %q: Lease of an unranked class = %v", prio, err)
		}
		if c := q.Counts(); c.Queued != 1 || c.Active != 0 {
			t.Errorf("priority %q: counts %+v after the refused Lease", prio, c)
		}
	}
}

func TestLeaseWokenByRetryTime(t *testing.T) {
	clk, tm := newClock(), newTimers()
	blocked := make(chan struct{}, 1)
	q := open(t, dbPath(t), Options{Now: clk.Now, after: tm.after, blocked: func() { blocked <- struct{}{} }})
	enqueue(t, q, item("a", 1), item("b", 2))
	ja, jb := mustLease(t, q), mustLease(t, q)
	if err := q.Retry(ja, t0.Add(time.Hour), "503"); err != nil {
		t.Fatal(err)
	}
	if err := q.Retry(jb, t0.Add(time.Minute), "503"); err != nil {
		t.Fatal(err)
	}
	res := leaseAsync(t.Context(), q, LeaseOptions{})
	if d := <-tm.asked; d != time.Minute {
		t.Fatalf("timer for %v, want the earliest retry in 1m", d)
	}
	<-blocked
	tm.fire <- t0 // early fire: the clock has not moved, so it waits again
	if d := <-tm.asked; d != time.Minute {
		t.Fatalf("timer re-armed for %v, want 1m", d)
	}
	<-blocked
	clk.Set(t0.Add(time.Minute))
	tm.fire <- t0.Add(time.Minute)
	r := <-res
	if r.err != nil || r.j.Path != "b" || r.j.Attempts != 1 || r.j.LastError != "503" {
		t.Fatalf("Lease = %+v, %v", r.j, r.err)
	}
	if _, ok := leaseNow(t, q, LeaseOptions{}); ok {
		t.Fatal("a job was handed out before its retry time")
	}
}

func TestLeaseEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(q *Queue, cancel context.CancelFunc)
		want error
	}{
		{"ctx cancel", func(_ *Queue, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"close", func(q *Queue, _ context.CancelFunc) { _ = q.Close() }, ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocked := make(chan struct{}, 1)
			q := open(t, dbPath(t), Options{blocked: func() { blocked <- struct{}{} }})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			res := leaseAsync(ctx, q, LeaseOptions{})
			<-blocked
			tt.end(q, cancel)
			if r := <-res; !errors.Is(r.err, tt.want) {
				t.Fatalf("Lease error %v, want %v", r.err, tt.want)
			}
		})
	}
}

func TestClosedQueue(t *testing.T) {
	q := open(t, dbPath(t), Options{})
	enqueue(t, q, item("a", 1))
	j := mustLease(t, q)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{
		"Done":  q.Done(j, testDelivery),
		"Retry": q.Retry(j, t0, ""),
		"Lease": func() error { _, err := q.Lease(t.Context(), LeaseOptions{}); return err }(),
		"Close": q.Close(),
	}
	_, calls["Enqueue"] = q.Enqueue([]Item{item("b", 1)})
	_, calls["Requeue"] = q.Requeue(nil)
	_, calls["Failures"] = q.Failures(0)
	for name, err := range calls {
		want := ErrClosed
		if name == "Close" {
			want = nil
		}
		if !isErr(err, want) {
			t.Errorf("%s after Close: %v, want %v", name, err, want)
		}
	}
}
