package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

type retryReq struct {
	Paths []string `json:"paths"`
}

type retryAns struct {
	Requeued int `json:"requeued"`
}

// ops registers the operations the tests call.
func ops(s *Server) {
	s.Handle("retry", func(_ context.Context, req json.RawMessage) (any, error) {
		var r retryReq
		if err := json.Unmarshal(req, &r); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
		}
		return retryAns{Requeued: len(r.Paths)}, nil
	})
	s.Handle("nothing", func(context.Context, json.RawMessage) (any, error) { return nil, nil })
	s.Handle("broken", func(context.Context, json.RawMessage) (any, error) {
		return nil, errors.New("open the queue: disk on fire")
	})
	s.Handle("picky", func(context.Context, json.RawMessage) (any, error) {
		return nil, fmt.Errorf("%w: /elsewhere/a.mov is not under watch.root", ErrBadRequest)
	})
}

func TestCallRoundTrip(t *testing.T) {
	r := start(t, sockPath(t), ServerOptions{Version: "1.2.3"}, ops)
	c := Dial(r.path, ClientOptions{})
	var ans retryAns
	if err := c.Call(t.Context(), "retry", retryReq{Paths: []string{"a.mov", "b.mov"}}, &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Requeued != 2 {
		t.Errorf("requeued %d, want 2", ans.Requeued)
	}
	if err := c.Call(t.Context(), "retry", nil, &ans); err != nil || ans.Requeued != 0 {
		t.Errorf("nil request: requeued %d, err %v; want 0, nil", ans.Requeued, err)
	}
	if err := c.Call(t.Context(), "nothing", nil, nil); err != nil {
		t.Errorf("nil answer: %v", err)
	}
}

func TestHello(t *testing.T) {
	r := start(t, sockPath(t), ServerOptions{Version: "1.2.3"}, nil)
	h, err := Dial(r.path, ClientOptions{}).Hello(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Hello{API: 1, Version: "1.2.3", PID: os.Getpid(), UID: os.Getuid()}
	if h != want {
		t.Errorf("hello %+v, want %+v", h, want)
	}
}

func TestCallErrors(t *testing.T) {
	r := start(t, sockPath(t), ServerOptions{Version: "1.2.3"}, ops)
	c := Dial(r.path, ClientOptions{})
	for _, tc := range []struct {
		op, want string
		bad      bool
	}{
		{"why", `unknown operation "why": this daemon (version 1.2.3) does not know it`, false},
		{"broken", "broken: the running daemon answered: open the queue: disk on fire", false},
		{"picky", "/elsewhere/a.mov is not under watch.root", true},
	} {
		err := c.Call(t.Context(), tc.op, nil, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.op, err, tc.want)
		}
		if errors.Is(err, ErrBadRequest) != tc.bad {
			t.Errorf("%s: errors.Is(err, ErrBadRequest) = %v, want %v", tc.op, !tc.bad, tc.bad)
		}
		if errors.Is(err, ErrNotRunning) || errors.Is(err, ErrVersionMismatch) {
			t.Errorf("%s: %v is ErrNotRunning or ErrVersionMismatch", tc.op, err)
		}
	}
}

// TestWire checks statuses and the JSON error body as any client sees them.
func TestWire(t *testing.T) {
	r := start(t, sockPath(t), ServerOptions{Version: "1.2.3"}, ops)
	for _, tc := range []struct {
		method, route, body string
		status              int
		want                string
	}{
		{"GET", "/v1/hello", "", 200, `"api":1`},
		{"POST", "/v1/retry", `{"paths":["a"]}`, 200, `{"requeued":1}`},
		{"POST", "/v1/retry", ``, 200, `{"requeued":0}`},
		{"POST", "/v1/nothing", ``, 200, `{}`},
		{"POST", "/v1/why", `{}`, 404, `"error":"unknown operation \"why\"`},
		{"POST", "/v2/retry", `{}`, 404, `speaks control API v1, under /v1/`},
		{"GET", "/", ``, 404, `no route /`},
		{"POST", "/v1/broken", `{}`, 500, `"error":"open the queue: disk on fire"`},
		{"POST", "/v1/picky", `{}`, 400, `not under watch.root`},
		{"POST", "/v1/retry", `{"paths":`, 400, `"error":"the request body is not JSON"`},
		{"POST", "/v1/retry", `{"paths":3}`, 400, `cannot unmarshal`},
		{"GET", "/v1/retry", ``, 405, `GET /v1/retry: use POST`},
		{"POST", "/v1/hello", ``, 405, `use GET`},
	} {
		resp, body := raw(t, r.path, tc.method, tc.route, tc.body)
		name := tc.method + " " + tc.route + " " + tc.body
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %d and %s", name, resp.StatusCode, body, tc.status, tc.want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		if tc.status >= 400 {
			var ea errorAnswer
			if err := json.Unmarshal([]byte(body), &ea); err != nil || ea.Error == "" {
				t.Errorf("%s: error body %s is not {\"error\": …}", name, body)
			}
		}
		if tc.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") == "" {
			t.Errorf("%s: 405 without Allow", name)
		}
	}
}

func TestHandleBadOp(t *testing.T) {
	for _, op := range []string{"", "hello", "Retry", "a/b", "v1/retry"} {
		s := NewServer(sockPath(t), ServerOptions{})
		s.Handle(op, func(context.Context, json.RawMessage) (any, error) { return nil, nil })
		err := s.Run(t.Context())
		if err == nil || !strings.Contains(err.Error(), "cannot handle operation") {
			t.Errorf("Handle(%q): Run gave %v, want a wiring error", op, err)
		}
	}
}
