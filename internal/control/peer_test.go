//go:build linux || darwin

package control

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestPeerRefused(t *testing.T) {
	var log logBuffer
	var asked atomic.Int64
	asked.Store(-2)
	r := start(t, sockPath(t), ServerOptions{Logger: log.logger(), AllowUID: func(uid int) bool {
		asked.Store(int64(uid))
		return false
	}}, ops)
	c := Dial(r.path, ClientOptions{})
	_, err := c.Hello(t.Context())
	var re *remoteError
	if !errors.As(err, &re) || re.status != http.StatusForbidden {
		t.Fatalf("Hello: %v, want a 403 answer", err)
	}
	rule := ruleText(os.Getuid())
	if !strings.Contains(err.Error(), rule) || !strings.Contains(err.Error(), "run the command with sudo") {
		t.Errorf("Hello: %v, want the rule %q and what to do", err, rule)
	}
	if got := asked.Load(); got != int64(os.Getuid()) {
		t.Errorf("AllowUID got uid %d, want ours (%d)", got, os.Getuid())
	}
	if err := c.Call(t.Context(), "retry", retryReq{Paths: []string{"a"}}, nil); err == nil || !strings.Contains(err.Error(), rule) {
		t.Errorf("Call: %v, want the refusal", err)
	}
	resp, body := raw(t, r.path, "POST", "/v1/retry", `{}`)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"error":"only root`) {
		t.Errorf("raw: %d %s, want 403 with the rule", resp.StatusCode, body)
	}
	logged := log.String()
	if !strings.Contains(logged, "control connection refused") || !strings.Contains(logged, "uid="+strconv.Itoa(os.Getuid())) {
		t.Errorf("no refusal naming the uid in the log:\n%s", logged)
	}
}

func TestRuleText(t *testing.T) {
	if got := ruleText(0); got != "only root may send requests to this daemon (it runs as root)" {
		t.Errorf("ruleText(0) = %q", got)
	}
	got := ruleText(4242424)
	if got != "only root and the service user uid 4242424 may send requests to this daemon" {
		t.Errorf("ruleText(4242424) = %q", got)
	}
}

func TestPeerDefaultAllowsOwnUID(t *testing.T) {
	r := start(t, sockPath(t), ServerOptions{}, ops)
	var ans retryAns
	if err := Dial(r.path, ClientOptions{}).Call(t.Context(), "retry", retryReq{Paths: []string{"a"}}, &ans); err != nil {
		t.Fatalf("our own uid %d was refused: %v", os.Getuid(), err)
	}
	if !defaultAllow(0) || !defaultAllow(os.Getuid()) || defaultAllow(4242424) {
		t.Errorf("defaultAllow is not root and our uid")
	}
}

func TestSocketMode(t *testing.T) {
	old := syscall.Umask(0) // the worst umask: the socket would be 0777
	defer syscall.Umask(old)
	r := start(t, sockPath(t), ServerOptions{}, nil)
	fi, err := os.Lstat(r.path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode %o, want 600", perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		t.Errorf("socket owned by %d, want %d", st.Uid, os.Getuid())
	}
}
