package watcher

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRootDeniedForReal: the same as TestRootDeniedToServiceUser, with the
// kernel's own EACCES. Run as root, it runs itself again as nobody (the
// service's user stands in): a root of mode 0700 that nobody may not enter.
func TestRootDeniedForReal(t *testing.T) {
	if os.Geteuid() == 0 {
		asNobody(t, "^TestRootDeniedForReal$")
		return
	}
	base, err := os.MkdirTemp("", "watcher-root-denied")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(base, 0o700); _ = os.RemoveAll(base) })
	root := filepath.Join(base, "dailies")
	for _, d := range []string{"_graded", "_thumbnails"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(root, 0o600); err != nil { // may list, may not enter
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(root, 0o755) })
	w, c := start(t, root, Options{Rescan: time.Hour}, nil)
	waitFor(t, c, "a scan", func() bool { return c.scanCount() > 0 })
	got := w.Status().Error
	t.Logf("Status.Error: %s", got)
	u := serviceUser()
	for _, want := range []string{
		"watched folder " + filepath.Join(root, "_graded") + " cannot be read",
		"permission denied: the service's user (" + u + ") may not enter the watch root " + root,
		"sudo setfacl -R -m u:" + u + ":rX " + shellQuote(root),
		"sudo setfacl -R -d -m u:" + u + ":rX " + shellQuote(root),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Status.Error %q\ndoes not say %q", got, want)
		}
	}
}

// asNobody runs the tests named by pattern in a copy of this test binary
// as the unprivileged user nobody, and fails with their output if they do.
func asNobody(t *testing.T, pattern string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "watcher-as-nobody") // t.TempDir's parent is root's alone
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "watcher.test")
	copyFile(t, os.Args[0], bin)
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-test.run="+pattern, "-test.count=1", "-test.v")
	cmd.Dir, cmd.Env = tmp, append(os.Environ(), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("as nobody, no test ran:\n%s", out)
	}
	t.Logf("as nobody:\n%s", out)
}
