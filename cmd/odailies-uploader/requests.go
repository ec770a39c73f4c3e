package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// While the daemon runs it holds the queue's lock, so other commands hand
// it requests through files in <state.dir>/requests: NAME.json holds the
// request; the daemon answers in NAME.answer and removes the request.

const requestsDir = "requests"

// retryRequest asks the daemon to put failed jobs back in the queue.
type retryRequest struct {
	Paths []string `json:"paths"` // relative paths; empty: every failed job
}

type retryAnswer struct {
	Requeued int    `json:"requeued"`
	Error    string `json:"error,omitempty"`
}

// serveRequests answers request files until ctx ends. A request is a rare,
// human-made event: looking once a second costs nothing.
func (d *daemon) serveRequests(ctx context.Context) error {
	dir := filepath.Join(d.cfg.State.Dir, requestsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		d.log.Warn("cannot create the requests folder; 'retry' will not reach the running daemon", "path", dir, "err", err)
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		d.answerRequests(dir)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (d *daemon) answerRequests(dir string) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return
	}
	for _, name := range names {
		ans := d.answerRetry(name)
		data, _ := json.Marshal(ans)
		answer := strings.TrimSuffix(name, ".json") + ".answer"
		if err := os.WriteFile(answer+".tmp", data, 0o600); err == nil {
			os.Rename(answer+".tmp", answer)
		}
		os.Remove(name)
	}
}

func (d *daemon) answerRetry(name string) retryAnswer {
	data, err := os.ReadFile(name)
	if err != nil {
		return retryAnswer{Error: err.Error()}
	}
	var req retryRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return retryAnswer{Error: fmt.Sprintf("bad request %s: %v", filepath.Base(name), err)}
	}
	n, err := d.queue.Requeue(req.Paths)
	if err != nil {
		return retryAnswer{Error: err.Error()}
	}
	d.log.Info("failed uploads put back in the queue", "files", n)
	return retryAnswer{Requeued: n}
}

// handRetry gives a retry request to the running daemon and waits for its
// answer.
func handRetry(ctx context.Context, stateDir string, paths []string) (int, error) {
	dir := filepath.Join(stateDir, requestsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("hand the request to the running daemon: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("retry-%d-%d", time.Now().UnixNano(), os.Getpid()))
	data, _ := json.Marshal(retryRequest{Paths: paths})
	if err := os.WriteFile(base+".tmp", data, 0o600); err != nil {
		return 0, fmt.Errorf("hand the request to the running daemon: %w", err)
	}
	if err := os.Rename(base+".tmp", base+".json"); err != nil {
		return 0, fmt.Errorf("hand the request to the running daemon: %w", err)
	}
	return waitAnswer(ctx, base)
}

func waitAnswer(ctx context.Context, base string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		data, err := os.ReadFile(base + ".answer")
		if err == nil {
			os.Remove(base + ".answer")
			var ans retryAnswer
			if err := json.Unmarshal(data, &ans); err != nil {
				return 0, fmt.Errorf("read the daemon's answer: %w", err)
			}
			if ans.Error != "" {
				return ans.Requeued, fmt.Errorf("the running daemon could not requeue: %s", ans.Error)
			}
			return ans.Requeued, nil
		}
		select {
		case <-ctx.Done():
			os.Remove(base + ".json")
			return 0, fmt.Errorf("the running daemon did not answer within 15s (is it stuck? see its log)")
		case <-tick.C:
		}
	}
}
