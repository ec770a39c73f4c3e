package watcher

import (
	"io"
	"os"
	"testing"
)

// TestAsServiceUser runs the permission tests again as an unprivileged
// user (nobody), for whom a mode-000 file is really unreadable, when the
// tests run as root: a copy of the test binary in a folder that user may
// enter, with a temporary folder of its own.
func TestAsServiceUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("already unprivileged: the permission tests ran for real")
	}
	asNobody(t, "^(TestUnreadableFileIsAProblem|TestUnreadableFolderIsAProblem|TestUnsearchableFolderIsAProblem|TestProblemsClearWhenGone)$")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
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
