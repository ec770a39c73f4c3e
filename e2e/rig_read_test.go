package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// status reads status.json the way scripts do: through `status -json`.
func (r *rig) status() statusDoc {
	r.t.Helper()
	res := r.cmd(r.t.Context(), "status", "-json")
	if res.code != 0 {
		r.t.Fatalf("status -json exited %d: %s", res.code, res.stderr)
	}
	var s statusDoc
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
		r.t.Fatalf("status -json: %v\n%s", err, res.stdout)
	}
	return s
}

// statusFile reads status.json directly, for polling.
func (r *rig) statusFile() (statusDoc, bool) {
	data, err := os.ReadFile(filepath.Join(r.state, "status.json"))
	if err != nil {
		return statusDoc{}, false
	}
	var s statusDoc
	return s, json.Unmarshal(data, &s) == nil
}

type statusDoc struct {
	State          string         `json:"state"`
	Updated        time.Time      `json:"updated"`
	Detail         string         `json:"detail"`
	Queued         int            `json:"queued"`
	Active         int            `json:"active"`
	Done           int            `json:"done"`
	Failed         int            `json:"failed"`
	Gone           int            `json:"gone"`
	BytesDone      int64          `json:"bytes_done"`
	Verified       verifiedCounts `json:"verified"`
	RecentFailures []struct {
		Path  string `json:"path"`
		Error string `json:"error"`
	} `json:"recent_failures"`
	Watcher struct {
		Mode     string    `json:"mode"`
		LastScan time.Time `json:"last_scan"`
		Error    string    `json:"error"`
		Pending  int       `json:"pending"`
	} `json:"watcher"`
	Bandwidth struct {
		Limit      int64     `json:"limit_bytes_per_s"`
		Scheduled  bool      `json:"scheduled"`
		NextChange time.Time `json:"next_change"`
		NextLimit  int64     `json:"next_limit_bytes_per_s"`
	} `json:"bandwidth"`
}

// eventually polls cond until it holds or the deadline passes. It waits on
// another process, which has no channel to wait on.
func (r *rig) eventually(what string, d time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out after %s waiting for %s\nlog:\n%s", d, what, r.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) logText() string {
	data, _ := os.ReadFile(r.logFile)
	return string(data)
}

func (r *rig) logTail() string {
	s := r.logText()
	if len(s) > 6000 {
		s = "…" + s[len(s)-6000:]
	}
	return s
}

var signatureRE = regexp.MustCompile(`(?i)x-amz-signature=[0-9a-f]{8}`)

// checkSecrets fails the test if the token or a signed URL's signature
// appears in the log, the status file or any command output.
func (r *rig) checkSecrets() {
	texts := map[string]string{"log": r.logText()}
	if data, err := os.ReadFile(filepath.Join(r.state, "status.json")); err == nil {
		texts["status.json"] = string(data)
	}
	r.mu.Lock()
	for i, b := range r.outputs {
		texts[fmt.Sprintf("command output %d", i)] = b.String()
	}
	r.mu.Unlock()
	for name, text := range texts {
		for _, secret := range []string{r.token, urlEscapedToken(r.token)} {
			if strings.Contains(text, secret) {
				r.t.Errorf("the token appears in the %s", name)
			}
		}
		if signatureRE.MatchString(text) {
			r.t.Errorf("a signed URL's signature appears in the %s", name)
		}
	}
}

func urlEscapedToken(tok string) string {
	return strings.NewReplacer("/", "%2F", "+", "%2B", "&", "%26").Replace(tok)
}

func mustMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
