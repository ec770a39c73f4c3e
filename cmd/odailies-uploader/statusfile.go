package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// statusFileName is the file in state.dir the daemon rewrites and `status`
// reads. Its keys are fixed: scripts read them.
const statusFileName = "status.json"

func statusPath(cfg *Config) string { return filepath.Join(cfg.State.Dir, statusFileName) }

// statusDoc is status.json. The first block of keys is the fixed set of
// DESIGN.md; the rest are additions.
type statusDoc struct {
	State          string          `json:"state"`
	Updated        time.Time       `json:"updated"`
	Queued         int             `json:"queued"`
	Active         int             `json:"active"`
	Done           int             `json:"done"`
	Failed         int             `json:"failed"`
	Gone           int             `json:"gone"`
	BytesDone      int64           `json:"bytes_done"`
	Rate           float64         `json:"rate_bytes_per_s"`
	ActiveFiles    []activeFile    `json:"active_files"`
	RecentFailures []recentFailure `json:"recent_failures"`
	Watcher        watcherDoc      `json:"watcher"`

	Detail      string    `json:"detail,omitempty"`
	QueuedBytes int64     `json:"queued_bytes"`
	ETASeconds  int64     `json:"eta_s,omitempty"`
	Started     time.Time `json:"started"`
	PID         int       `json:"pid"`
	Version     string    `json:"version"`
}

type activeFile struct {
	Path      string `json:"path"`
	BytesSent int64  `json:"bytes_sent"`
	Size      int64  `json:"size"`
}

type recentFailure struct {
	Path  string    `json:"path"`
	Error string    `json:"error"`
	At    time.Time `json:"at"`
}

type watcherDoc struct {
	Mode     string    `json:"mode"`
	Dirs     []string  `json:"dirs"`
	LastScan time.Time `json:"last_scan"`
	Error    string    `json:"error"`
	Pending  int       `json:"pending"`
}

// writeStatus replaces path atomically: a reader sees the old or the new
// document, never half of one.
func writeStatus(path string, doc *statusDoc) error {
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".status-*.tmp")
	if err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && !isWindows() {
		tmp.Close()
		return fmt.Errorf("write status: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write status: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}

// readStatus reads status.json, keeping the raw bytes for `status -json`.
func readStatus(path string) (*statusDoc, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var doc statusDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &doc, data, nil
}
