package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// setAfterUpload puts watch.after_upload (and, when dir is not empty,
// after_upload_dir) in the rig's [watch] table, and upload.verify when
// verify is not empty; it returns the config's text.
func (r *rig) setAfterUpload(action, dir, verify string) string {
	r.t.Helper()
	cfg, err := os.ReadFile(r.config)
	if err != nil {
		r.t.Fatal(err)
	}
	watch := "after_upload = " + strconv.Quote(action) + "\n"
	if dir != "" {
		watch += "after_upload_dir = " + strconv.Quote(dir) + "\n"
	}
	upload := "[upload]\n"
	if verify != "" {
		upload += "verify = " + strconv.Quote(verify) + "\n"
	}
	cfg = bytes.Replace(cfg, []byte("[upload]\n"), []byte(watch+upload), 1)
	if err := os.WriteFile(r.config, cfg, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return string(cfg)
}

// lineOf is the 1-based line of the config text that starts with prefix.
func lineOf(t *testing.T, text, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starts with %q in:\n%s", prefix, text)
	return 0
}

// TestDeleteWithoutMD5IsRefused: after_upload = "delete" with
// upload.verify = "none" is refused by check -offline and by run alike:
// exit 2, a message naming both keys and their lines, and run starts
// nothing (no queue, nothing signed or stored).
func TestDeleteWithoutMD5IsRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	text := r.setAfterUpload("delete", "", "none")
	writeFile(t, r.root, "_graded/a.mov", randomBytes(t, 1000))
	actionLine, verifyLine := lineOf(t, text, "after_upload ="), lineOf(t, text, "verify =")
	want := []string{
		"line " + strconv.Itoa(actionLine) + ": watch.after_upload:",
		`"delete" needs upload.verify = "md5"`,
		`(it is "none" on line ` + strconv.Itoa(verifyLine) + ")",
		r.config,
	}
	for _, args := range [][]string{{"check", "-offline"}, {"run"}} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		res := r.cmd(ctx, args...)
		cancel()
		if res.code != 2 {
			t.Errorf("%s exited %d, want 2\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
		}
		for _, w := range want {
			if !strings.Contains(res.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", strings.Join(args, " "), w, res.stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(r.state, "queue.db")); !os.IsNotExist(err) {
		t.Errorf("run refused, yet a queue exists (%v)", err)
	}
	if keys := r.s3.Keys(t); len(keys) != 0 {
		t.Errorf("run refused, yet storage holds %q", keys)
	}
	if _, err := os.Stat(filepath.Join(r.root, "_graded", "a.mov")); err != nil {
		t.Errorf("the file is gone after a refused run: %v", err)
	}
}
