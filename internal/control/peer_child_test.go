//go:build linux || darwin

package control

import (
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user nobody; it skips the test unless we are root, the
// only user that can start a process as another.
func nobody(t *testing.T) *user.User {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another user")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	return u
}

// asNobody runs the test binary as u, saying hello on sock (see TestMain),
// and returns what it printed.
func asNobody(t *testing.T, u *user.User, dir, sock string) string {
	t.Helper()
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// go test's binary lives in a folder nobody cannot enter: copy it.
	bin := filepath.Join(dir, "child.test")
	copyFile(t, bin)
	cmd := exec.CommandContext(t.Context(), bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), childEnv+"="+sock)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("the child as %s printed: %s", u.Username, out)
	return strings.TrimSpace(string(out))
}

// copyFile copies the running test binary to dst, executable by anyone.
func copyFile(t *testing.T, dst string) {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOtherUserRefused: with the file modes opened up, the peer check
// alone refuses another user, and still lets root in.
func TestOtherUserRefused(t *testing.T) {
	u := nobody(t)
	dir := shortDir(t)
	r := start(t, filepath.Join(dir, "control.sock"), ServerOptions{}, nil)
	for _, p := range []string{dir, r.path} {
		if err := os.Chmod(p, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	out := asNobody(t, u, dir, r.path)
	if !strings.Contains(out, "only root may send requests to this daemon") || !strings.Contains(out, "you are nobody") {
		t.Errorf("nobody got %q, want the 403 naming the rule", out)
	}
	if _, err := Dial(r.path, ClientOptions{}).Hello(t.Context()); err != nil {
		t.Errorf("root was refused: %v", err)
	}
}

// TestOtherUserDeniedBySocketMode: as installed (socket 0600), another
// user cannot connect at all, and is told to use sudo.
func TestOtherUserDeniedBySocketMode(t *testing.T) {
	u := nobody(t)
	dir := shortDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := start(t, filepath.Join(dir, "control.sock"), ServerOptions{}, nil)
	out := asNobody(t, u, dir, r.path)
	if !strings.Contains(out, "permission denied") || !strings.Contains(out, "run the command with sudo") {
		t.Errorf("nobody got %q, want permission denied and sudo", out)
	}
	if strings.Contains(out, "no daemon is running") {
		t.Errorf("a refused user must not be told no daemon runs: %q", out)
	}
}
