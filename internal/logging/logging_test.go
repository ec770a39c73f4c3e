package logging

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/redact"
)

// secretValuer logs itself as text holding a secret.
type secretValuer struct{ tok string }

func (s secretValuer) LogValue() slog.Value { return slog.StringValue("valuer " + s.tok) }

// secretStringer prints a secret.
type secretStringer struct{ tok string }

func (s secretStringer) String() string { return "stringer " + s.tok }

// logEverything logs tok through every path a record can carry it.
func logEverything(log *slog.Logger, tok string) {
	signed := "https://s3.example/b/_graded/a.mov?X-Amz-Signature=deadbeef&tok=" + url.QueryEscape(tok)
	sign := "https://odailies.com/api/v1/upload/proj/" + url.PathEscape(tok) + "/_graded/a.mov"
	log.Info("message with "+tok, "url", sign, "signed", signed)
	log.Error("upload failed", "err", fmt.Errorf("put %s: %w", signed, errors.New("EOF "+tok)))
	log.Warn("group", slog.Group("job", "path", "_graded/"+tok, slog.Group("inner", "v", tok)))
	log.Info("any", "valuer", secretValuer{tok}, "stringer", secretStringer{tok}, "bytes", []byte(tok))
	log.With("with", tok).WithGroup("g-"+tok).Info("nested", "k", tok, "n", 42)
	log.Debug("debug " + tok)
}

func TestLoggerRedactsEverything(t *testing.T) {
	for _, tok := range []string{"s3cr3t/t0ken?x=1&y=%2F+plus#frag", "tök€n-with-ünïcode-0123456789", "semi;colon,comma:colon@at$dollar!", testToken} {
		var buf bytes.Buffer
		log, closer, err := New(config.LogConfig{File: "-", Level: slog.LevelDebug}, &buf, redact.New(tok))
		if err != nil {
			t.Fatal(err)
		}
		logEverything(log, tok)
		closer.Close()
		out := buf.String()
		assertNoSecret(t, out, tok)
		for _, want := range []string{"X-Amz-Signature", "deadbeef"} {
			if strings.Contains(out, want) {
				t.Errorf("log holds the signed URL's query (%s):\n%s", want, out)
			}
		}
		if n := strings.Count(out, "\n"); n != 6 {
			t.Errorf("got %d lines, want 6:\n%s", n, out)
		}
		if !strings.Contains(out, "n=42") || !strings.Contains(out, redact.Token(tok)) {
			t.Errorf("redaction lost data:\n%s", out)
		}
	}
}

func TestLoggerLevel(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := New(config.LogConfig{File: "-", Level: slog.LevelWarn}, &buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("quiet")
	log.Warn("loud")
	if out := buf.String(); strings.Contains(out, "quiet") || !strings.Contains(out, "loud") {
		t.Errorf("level warn wrote:\n%s", out)
	}
}

func TestLoggerFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "deeper")
	file := filepath.Join(dir, "odailies-uploader.log")
	log, closer, err := New(config.LogConfig{File: file, Level: slog.LevelInfo, MaxSize: 20e6, Keep: 5}, nil, redact.New(testToken))
	if err != nil {
		t.Fatal(err)
	}
	log.Info("started", "token", testToken)
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "msg=started") {
		t.Errorf("log file holds %q", data)
	}
	assertNoSecret(t, string(data), testToken)
	if runtime.GOOS == "windows" {
		return
	}
	assertMode(t, file, 0o600)
	assertMode(t, dir, 0o700)
}

func TestLoggerTightensExistingFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits are not permissions on Windows")
	}
	file := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(file, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, closer, err := New(config.LogConfig{File: file, MaxSize: 1e6}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	closer.Close()
	assertMode(t, file, 0o600)
}

func TestLoggerUnwritableFolder(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := New(config.LogConfig{File: filepath.Join(blocker, "sub", "x.log"), MaxSize: 1e6}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "log.file") {
		t.Errorf("err = %v, want an error naming log.file", err)
	}
}

func TestMegabytes(t *testing.T) {
	tests := []struct {
		in   int64
		want int
	}{{0, 1}, {1, 1}, {1 << 20, 1}, {1<<20 + 1, 2}, {20e6, 20}, {1 << 62, 1 << 30}}
	for _, tt := range tests {
		if got := megabytes(tt.in); got != tt.want {
			t.Errorf("megabytes(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func assertMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", p, got, want)
	}
}

const testToken = "secret-token-abcdef123456"

// assertNoSecret fails when out holds secret in any spelling.
func assertNoSecret(t *testing.T, out, secret string) {
	t.Helper()
	for _, form := range redact.Spellings(secret) {
		if strings.Contains(out, form) {
			t.Errorf("output holds the secret (%q):\n%s", form, out)
		}
	}
}
