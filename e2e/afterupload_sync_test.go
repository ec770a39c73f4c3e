package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAfterUploadSync: sync with after_upload = "move", as a DIT's
// offload script runs it. When the move cannot be made (after_upload_dir
// is taken by a plain file), sync exits 1 at once, not after -give-up or
// the service's retry, naming the file and the cause, with every file
// uploaded and still in place; once the cause is gone, the next sync
// exits 0 with every file already moved when it exits, none sent twice.
func TestAfterUploadSync(t *testing.T) {
	r := newRig(t, rigOptions{countPuts: true})
	cfg, err := os.ReadFile(r.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("[upload]\n"), []byte("after_upload = \"move\"\n[upload]\n"), 1)
	if err := os.WriteFile(r.config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	files := clipTree(t, 4, 64<<10)
	files.write(t, r.root)
	blocked := filepath.Join(r.root, "_uploaded")
	if err := os.WriteFile(blocked, []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}

	res := r.sync(1)
	for _, want := range []string{"uploaded but not moved or deleted", blocked, "(move)"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("sync's error lacks %q:\n%s", want, res.stderr)
		}
	}
	if strings.Contains(res.stderr, "upload(s) failed") || strings.Contains(res.stderr, "gave up") {
		t.Errorf("a failed move is said to be a failed upload or a give-up:\n%s", res.stderr)
	}
	r.assertStored(files)
	for rel := range files {
		if _, err := os.Stat(filepath.Join(r.root, filepath.FromSlash(rel))); err != nil {
			t.Errorf("%s, whose move failed, is not where it was: %v", rel, err)
		}
	}

	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	r.sync(0)
	for rel, body := range files {
		if _, err := os.Lstat(filepath.Join(r.root, filepath.FromSlash(rel))); !os.IsNotExist(err) {
			t.Errorf("%s still in the watched folder when sync exited 0 (%v)", rel, err)
		}
		got, err := os.ReadFile(filepath.Join(blocked, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s in _uploaded when sync exited 0: %d bytes, %v", rel, len(got), err)
		}
		if n := r.puts.Puts(rel); n != 1 {
			t.Errorf("%s: %d PUTs, want 1", rel, n)
		}
	}
}
