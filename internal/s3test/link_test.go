package s3test

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echo is a loopback server that writes back every line it reads.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through c and reads it back, with how long it took.
func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader) (string, time.Duration, error) {
	t.Helper()
	start := time.Now()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return "", 0, err
	}
	line, err := r.ReadString('\n')
	return line, time.Since(start), err
}

func dialLink(t *testing.T, l *Link) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func TestLinkLatency(t *testing.T) {
	l := Proxy(t, echo(t))
	c, r := dialLink(t, l)
	if line, d, err := roundTrip(t, c, r); err != nil || line != "ping\n" || d > 100*time.Millisecond {
		t.Fatalf("plain link: %q %v %v", line, d, err)
	}
	up := l.Latency(Upstream, 80, 0)
	l.Latency(Downstream, 40, 0)
	if line, d, err := roundTrip(t, c, r); err != nil || line != "ping\n" || d < 120*time.Millisecond {
		t.Fatalf("with 80+40 ms: %q after %v (%v), want at least 120 ms", line, d, err)
	}
	l.Remove(up)
	l.RemoveAll()
	if _, d, err := roundTrip(t, c, r); err != nil || d > 100*time.Millisecond {
		t.Fatalf("toxics removed: %v (%v)", d, err)
	}
}

func TestLinkTimeoutHoldsUntilRemoved(t *testing.T) {
	l := Proxy(t, echo(t))
	c, r := dialLink(t, l)
	hang := l.Timeout(Upstream, 0)
	got := make(chan string, 1)
	go func() {
		line, _, _ := roundTrip(t, c, r)
		got <- line
	}()
	select {
	case line := <-got:
		t.Fatalf("%q came through a held link", line)
	case <-time.After(200 * time.Millisecond):
	}
	l.Remove(hang)
	select {
	case line := <-got:
		if line != "ping\n" {
			t.Fatalf("after the hold: %q", line)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("held data did not flow once the toxic was removed")
	}
}

func TestLinkTimeoutCloses(t *testing.T) {
	l := Proxy(t, echo(t))
	c, r := dialLink(t, l)
	l.Timeout(Downstream, 100)
	start := time.Now()
	if _, _, err := roundTrip(t, c, r); err == nil {
		t.Fatal("a round trip through a closing timeout succeeded")
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 2*time.Second {
		t.Fatalf("closed after %v, want about 100 ms", d)
	}
}

func TestLinkStopCutsHeldConnections(t *testing.T) {
	up := echo(t)
	var c net.Conn
	var r *bufio.Reader
	done := make(chan error, 1)
	t.Run("held", func(t *testing.T) {
		l := Proxy(t, up)
		c, r = dialLink(t, l)
		l.Timeout(Upstream, 0)
		go func() { _, _, err := roundTrip(t, c, r); done <- err }()
		time.Sleep(50 * time.Millisecond) // the line is held in the link
	}) // the subtest's cleanup stops the link
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a held round trip succeeded after the link stopped")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("stopping the link left a held connection open")
	}
}
