package uploader

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// rawStorage is storage on a bare listener, so it can answer a PUT when
// net/http's server never would: it reads a request's header, sends
// 100 Continue if cont, reads read body bytes (all of them if read < 0),
// answers 200 and then reads no more, holding the connection open until
// the test ends (a broken proxy that answers early and stops reading).
type rawStorage struct {
	ln   net.Listener
	cont bool
	read int64
	puts atomic.Int64
	got  atomic.Int64 // body bytes read, over all PUTs
	quit chan struct{}
	wg   sync.WaitGroup
}

func newRawStorage(t *testing.T, cont bool, read int64) *rawStorage {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawStorage{ln: ln, cont: cont, read: read, quit: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		close(s.quit)
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *rawStorage) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

func (s *rawStorage) serve(c net.Conn) {
	go func() { <-s.quit; c.Close() }()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		s.puts.Add(1)
		if s.cont {
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		}
		body := io.Reader(req.Body)
		if s.read >= 0 {
			body = io.LimitReader(req.Body, s.read)
		}
		n, _ := io.Copy(io.Discard, body)
		s.got.Add(n)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
		if s.read >= 0 {
			<-s.quit // read no more
			return
		}
	}
}

func (s *rawStorage) signer() *stubSigner {
	return &stubSigner{sign: func(_ context.Context, rel string, _ int64) (odailies.SignedURL, error) {
		return odailies.SignedURL{URL: "http://" + s.ln.Addr().String() + "/" + rel + "?sig=TOPSECRET",
			ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
}

// TestEarlyAnswerIsNotUpload: a 200 that comes before the whole body was
// sent is no upload, on either body path: at once, without 100 Continue
// and with no byte read, or after reading part of it. It is retried, and
// after MaxAttempts the job fails naming it.
func TestEarlyAnswerIsNotUpload(t *testing.T) {
	tests := []struct {
		name string
		cont bool
		read int64
		size int64
		want string // a regexp for the reason
	}{
		{"at once", false, 0, 3 << 20, `^PUT _graded/a\.mov: the storage answered before receiving the whole file \(0 of 3145728 bytes sent\)$`},
		// Bigger than what socket buffers hold once the reading stops.
		{"after half", true, 8 << 20, 96 << 20, `^PUT _graded/a\.mov: the storage answered before receiving the whole file \(\d+ of 100663296 bytes sent\)$`},
	}
	for _, tc := range tests {
		for _, bp := range bodyPaths {
			t.Run(tc.name+"/"+bp.name, func(t *testing.T) {
				st := newRawStorage(t, tc.cont, tc.read)
				e := newEnv(t, nil, st.signer())
				e.enqueue(e.sparse("_graded/a.mov", tc.size))
				e.run(Options{MaxAttempts: 2, Bandwidth: bp.bandwidth})
				ev := e.next("_graded/a.mov")
				if ev.kind != "retry" || !regexp.MustCompile(tc.want).MatchString(ev.reason) {
					t.Fatalf("first attempt: %s %q, want retry matching %s", ev.kind, ev.reason, tc.want)
				}
				t.Logf("first attempt: %s", ev.reason)
				ev = e.next("_graded/a.mov")
				if ev.kind != "fail" || !strings.HasPrefix(ev.reason, "gave up after 2 attempts: ") ||
					!regexp.MustCompile(tc.want).MatchString(strings.TrimPrefix(ev.reason, "gave up after 2 attempts: ")) {
					t.Errorf("second attempt: %s %q, want fail naming the early answer", ev.kind, ev.reason)
				}
				if n := st.puts.Load(); n != 2 {
					t.Errorf("%d PUTs, want 2", n)
				}
				if got := st.got.Load(); got > 2*tc.read {
					t.Errorf("storage read %d body bytes, more than it asked for", got)
				}
			})
		}
	}
}

// TestAnswerAfterWholeBodyWithout100: storage that ignores Expect (no 100
// Continue) but reads the whole body before it answers has the file: the
// body goes once the transport stops waiting, and the 200 counts.
func TestAnswerAfterWholeBodyWithout100(t *testing.T) {
	for _, bp := range bodyPaths {
		t.Run(bp.name, func(t *testing.T) {
			st := newRawStorage(t, false, -1)
			e := newEnv(t, nil, st.signer())
			e.enqueue(e.sparse("_graded/a.mov", 3<<20))
			tr := NewTransport(1)
			tr.ExpectContinueTimeout = 50 * time.Millisecond
			e.run(Options{Bandwidth: bp.bandwidth, HTTPClient: &http.Client{Transport: tr}})
			if ev := e.next("_graded/a.mov"); ev.kind != "done" {
				t.Errorf("got %s %q, want done", ev.kind, ev.reason)
			}
			if got := st.got.Load(); got != 3<<20 {
				t.Errorf("storage read %d body bytes", got)
			}
		})
	}
}
