package e2e

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// Mounts for the tests of volumes that go away and disks that fill: Linux
// and root only, each undone in t.Cleanup (umount, then umount -l if the
// mount is busy).

// requireMounts skips the test unless it may mount file systems.
func requireMounts(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("mounts a tmpfs, which this test does on Linux only (GOOS=%s)", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		t.Skip("mounts a tmpfs: needs root")
	}
	if _, err := exec.LookPath("mount"); err != nil {
		t.Skipf("mounts a tmpfs: %v", err)
	}
}

// mountPoint is one mount made by a test.
type mountPoint struct {
	t       *testing.T
	dir     string
	mounted bool
}

// mountTmpfs mounts a tmpfs of size (e.g. "64m") at dir, which must
// exist, its root with mode (e.g. "0755").
func mountTmpfs(t *testing.T, dir, size, mode string) *mountPoint {
	t.Helper()
	return mount(t, dir, "-t", "tmpfs", "-o", "size="+size+",mode="+mode, "tmpfs", dir)
}

// bindMount mounts src at dir.
func bindMount(t *testing.T, src, dir string) *mountPoint {
	t.Helper()
	return mount(t, dir, "--bind", src, dir)
}

func mount(t *testing.T, dir string, args ...string) *mountPoint {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Skipf("mount %s: %v: %s", strings.Join(args, " "), err, out)
	}
	m := &mountPoint{t: t, dir: dir, mounted: true}
	t.Cleanup(func() {
		if !m.mounted {
			return
		}
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s; detaching it (umount -l)", dir, err, out)
			if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
				t.Errorf("umount -l %s: %v: %s", dir, err, out)
			}
		}
		m.mounted = false
	})
	return m
}

// unmount takes the mount away now, as an unplugged drive would; it fails
// the test if the file system is busy.
func (m *mountPoint) unmount() {
	m.t.Helper()
	if out, err := exec.Command("umount", m.dir).CombinedOutput(); err != nil {
		m.t.Fatalf("umount %s: %v: %s", m.dir, err, out)
	}
	m.mounted = false
}
