package s3test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Corrupter is a TCP proxy in front of a storage address that damages
// uploads the way a bad NIC, a middlebox or a flaky RAID read does, and
// that TCP's checksum can miss: it flips one byte in the body of the
// first request of each new connection, until it has damaged N bodies.
// Everything else (the rest of that body, later requests on the
// connection, every answer) passes through untouched.
//
// It reads just enough HTTP/1.1 to do that: the header block up to its
// empty line, and Content-Length. The byte flipped is the body's middle
// one (offset Content-Length/2), XORed with 0x20, so a text body stays
// printable in a failure message. A first request that carries no body
// (no Content-Length, zero, or chunked) is passed through and spends
// nothing of N. Expect: 100-continue works: the proxy only relays bytes.
//
// It sits on the plaintext side of the link. With CorruptOptions.TLS it
// terminates TLS itself (clients connect with https to Addr, trusting
// the certificate's CA) and dials the storage in plain TCP, so the daemon
// can be tested over https while the damage is still done to bytes the
// proxy can read.
type Corrupter struct {
	Addr string // host:port clients connect to

	upstream string
	tls      *tls.Config
	ln       net.Listener
	budget   atomic.Int64 // bodies still to damage
	damaged  atomic.Int64
	conns    atomic.Int64

	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// CorruptOptions configures Corrupt. The zero value damages nothing.
type CorruptOptions struct {
	// Connections is how many connections get their first request's body
	// damaged (N above).
	Connections int
	// TLS, when set, makes the proxy a TLS server with this config
	// (certificates included); the storage is still dialled in plain TCP.
	TLS *tls.Config
}

// Corrupt starts a corrupting proxy on a free loopback port in front of
// upstream (host:port) and stops it in t.Cleanup.
func Corrupt(t testing.TB, upstream string, o CorruptOptions) *Corrupter {
	t.Helper()
	c, err := startCorrupter(upstream, o)
	if err != nil {
		t.Fatalf("s3test: start the corrupting proxy: %v", err)
	}
	t.Cleanup(c.close)
	return c
}

func startCorrupter(upstream string, o CorruptOptions) (*Corrupter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Corrupter{Addr: ln.Addr().String(), upstream: upstream, tls: o.TLS, ln: ln, open: map[net.Conn]struct{}{}}
	c.budget.Store(int64(o.Connections))
	c.wg.Add(1)
	go c.accept()
	return c, nil
}

// Damaged is how many request bodies the proxy has damaged so far.
func (c *Corrupter) Damaged() int { return int(c.damaged.Load()) }

// Connections is how many client connections the proxy has accepted.
func (c *Corrupter) Connections() int { return int(c.conns.Load()) }

func (c *Corrupter) accept() {
	defer c.wg.Done()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return // closed
		}
		c.conns.Add(1)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.serve(conn)
		}()
	}
}

// track records conn so close can cut it; false once the proxy is closed.
func (c *Corrupter) track(conn net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.open[conn] = struct{}{}
	return true
}

func (c *Corrupter) untrack(conn net.Conn) {
	c.mu.Lock()
	delete(c.open, conn)
	c.mu.Unlock()
	conn.Close()
}

// serve relays one connection: client → storage through the damaging
// copy, storage → client as it is. The connection ends when the storage
// side does (or either side fails).
func (c *Corrupter) serve(client net.Conn) {
	if c.tls != nil {
		client = tls.Server(client, c.tls)
	}
	if !c.track(client) {
		client.Close()
		return
	}
	defer c.untrack(client)
	up, err := net.Dial("tcp", c.upstream)
	if err != nil {
		return
	}
	if !c.track(up) {
		up.Close()
		return
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		_ = c.forward(up, client)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite() // the client is done sending; answers may still come
		}
	}()
	_, _ = io.Copy(client, up)
	c.untrack(up)
	client.Close() // ends forward's read
	<-sent
}

// maxHeader bounds the header block the proxy reads before giving up on
// parsing and passing the connection through untouched.
const maxHeader = 64 << 10

// forward copies src to dst, damaging the first request's body if the
// budget allows.
func (c *Corrupter) forward(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(src, 32<<10)
	head, err := readHeader(br)
	if _, werr := dst.Write(head); werr != nil {
		return werr
	}
	if errors.Is(err, errHeaderTooLong) {
		_, err = io.Copy(dst, br) // not HTTP as we know it: pass it on as it is
		return err
	}
	if err != nil {
		return err
	}
	if n := contentLength(head); n > 0 && c.take() {
		if err := flipAt(dst, br, n/2); err != nil {
			return err
		}
		c.damaged.Add(1)
	}
	_, err = io.Copy(dst, br)
	return err
}

// take spends one damage from the budget, if any is left.
func (c *Corrupter) take() bool {
	for {
		n := c.budget.Load()
		if n <= 0 {
			return false
		}
		if c.budget.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

var errHeaderTooLong = errors.New("header block too long")

// readHeader reads up to and including the empty line that ends an HTTP
// header block. On an error it returns what it read, to be passed on.
func readHeader(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for {
		line, err := br.ReadSlice('\n')
		head = append(head, line...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			// a line longer than the buffer: keep reading it
		case err != nil:
			return head, err
		case bytes.Equal(line, []byte("\r\n")) || bytes.Equal(line, []byte("\n")):
			return head, nil
		}
		if len(head) > maxHeader {
			return head, errHeaderTooLong
		}
	}
}

// contentLength is the header block's Content-Length, or 0 when it has
// none, a bad one, or a chunked body (which has no length to aim at).
func contentLength(head []byte) int64 {
	var n int64
	for _, line := range strings.Split(string(head), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "transfer-encoding":
			return 0
		case "content-length":
			v, err := strconv.ParseInt(value, 10, 64)
			if err != nil || v < 0 {
				return 0
			}
			n = v
		}
	}
	return n
}

// flipAt copies off bytes of src to dst, then the next byte XOR 0x20.
func flipAt(dst io.Writer, src *bufio.Reader, off int64) error {
	if _, err := io.CopyN(dst, src, off); err != nil {
		return err
	}
	b, err := src.ReadByte()
	if err != nil {
		return err
	}
	_, err = dst.Write([]byte{b ^ 0x20})
	return err
}

// close stops accepting, cuts every open connection and waits for the
// proxy's goroutines.
func (c *Corrupter) close() {
	c.ln.Close()
	c.mu.Lock()
	c.closed = true
	for conn := range c.open {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}
