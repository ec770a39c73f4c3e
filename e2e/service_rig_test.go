package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serviceRig is a rig laid out as a package install leaves it, with the
// daemon run as the packaged unit runs it (behaviour 15): the watch root
// and config root's, state.dir and the log folder the service user's.
type serviceRig struct {
	*rig
	unit  unitService
	user  string
	group string
	uid   int
	gid   int
	as    []string // the command prefix that runs a command as the service
}

// requireServiceUser skips unless the test can switch users as the
// packaged unit does.
func requireServiceUser(t *testing.T) {
	t.Helper()
	switch {
	case runtime.GOOS != "linux":
		t.Skip("the packaged service configuration is a systemd unit: Linux only")
	case os.Geteuid() != 0:
		t.Skip("running the daemon as the service user needs root (run the e2e tests with sudo)")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is missing: it runs the daemon as the unit's user")
	}
}

func newServiceRig(t *testing.T, o rigOptions) *serviceRig {
	t.Helper()
	requireServiceUser(t)
	unit := readUnit(t, unitFile)
	u := ensureSystemUser(t, unit.user)
	s := &serviceRig{unit: unit, user: u.Username}
	s.uid, _ = strconv.Atoi(u.Uid)
	s.gid, _ = strconv.Atoi(u.Gid)
	s.group = unit.group
	if s.group == "" {
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			t.Fatalf("the primary group of %s: %v", u.Username, err)
		}
		s.group = g.Name
	} else if g, err := user.LookupGroup(s.group); err != nil {
		t.Fatalf("the unit's Group=%s: %v", s.group, err)
	} else {
		s.gid, _ = strconv.Atoi(g.Gid)
	}
	s.as = unit.setpriv(s.group)
	s.rig = newRig(t, o)
	s.layOut()
	return s
}

// createdUser is the service user this run created, removed again by
// TestMain so that later steps (the package test's preinst) meet the
// machine as it was.
var createdUser string

// ensureSystemUser creates the unit's user exactly as the package's
// preinst does (packaging/linux/scripts/preinstall.sh), if it is missing.
func ensureSystemUser(t *testing.T, name string) *user.User {
	t.Helper()
	if u, err := user.Lookup(name); err == nil {
		return u
	}
	nologin := "/usr/sbin/nologin"
	if _, err := os.Stat(nologin); err != nil {
		nologin = "/bin/false"
	}
	var out []byte
	if _, err := user.LookupGroup(name); err != nil {
		out, _ = exec.Command("groupadd", "--system", name).CombinedOutput()
	}
	more, err := exec.Command("useradd", "--system", "--gid", name, "--home-dir", "/var/lib/"+name,
		"--no-create-home", "--shell", nologin, "--comment", "oDailies uploader", name).CombinedOutput()
	out = append(out, more...)
	if u, lerr := user.Lookup(name); lerr == nil {
		if err == nil {
			createdUser = name
		}
		return u // made here, or by a test running beside this one
	}
	t.Fatalf("create the service user %s: %v\n%s", name, err, out)
	return nil
}

// removeCreatedUser deletes the user (and its group) this run created.
func removeCreatedUser() {
	if createdUser == "" {
		return
	}
	_ = exec.Command("userdel", createdUser).Run()  // best effort: a disposable machine
	_ = exec.Command("groupdel", createdUser).Run() // userdel may already have removed it
}

// layOut sets owners and modes as the package does: everything the daemon
// reads is root's and readable (the binary's folder and the test's temp
// folders made traversable), the config root:<group> 0640, state.dir and
// the log folder the service user's, 0700.
func (s *serviceRig) layOut() {
	t := s.t
	for _, dir := range []string{filepath.Dir(bin), filepath.Dir(s.dir), s.dir} {
		chmod(t, dir, 0o755)
	}
	s.makeReadable(s.root)
	for _, dir := range []string{s.state, filepath.Dir(s.logFile)} {
		s.serviceDir(dir)
	}
	chown(t, s.config, 0, s.gid)
	chmod(t, s.config, 0o640)
	if s.s3.CABundle != "" {
		// The service starts with the unit's environment only (setpriv
		// --reset-env), so the test CA is given to it as a unit's
		// Environment=SSL_CERT_FILE= would. The bundle sits under
		// t.TempDir, which only root may enter, and Go skips an
		// SSL_CERT_FILE it cannot read: the service reads a copy,
		// world-readable as /etc/ssl/certs is.
		data, err := os.ReadFile(s.s3.CABundle)
		if err != nil {
			t.Fatal(err)
		}
		bundle := filepath.Join(s.dir, "ca-bundle.pem")
		if err := os.WriteFile(bundle, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s.s3.CABundle = bundle
		s.as = append(s.as, "SSL_CERT_FILE="+bundle) // after setpriv's /usr/bin/env
	}
}

// serviceDir creates dir as the package does state.dir and the log folder.
func (s *serviceRig) serviceDir(dir string) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.t.Fatal(err)
	}
	chown(s.t, dir, s.uid, s.gid)
	chmod(s.t, dir, 0o700)
}

// makeReadable makes a tree root's files readable by anyone, as a render
// tool running as root leaves them: dirs 0755, files 0644.
func (s *serviceRig) makeReadable(dir string) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o755)
		}
		return os.Chmod(p, 0o644)
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// runAsService starts `run` as the unit would.
func (s *serviceRig) runAsService() *daemon {
	s.t.Helper()
	return s.startAs(s.as)
}

// foreign lists what under dir (dir included) the service user does not
// own, each with its owner and mode.
func (s *serviceRig) foreign(dir string) []string {
	s.t.Helper()
	var bad []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if uid, ok := fileUID(fi); ok && uid != s.uid {
			bad = append(bad, fmt.Sprintf("%s (uid %d, %s)", p, uid, fi.Mode()))
		}
		return nil
	})
	if err != nil {
		s.t.Fatalf("walk %s: %v", dir, err)
	}
	return bad
}

// assertServiceOwns fails the test if anything in state.dir or the log
// folder is not the service user's: the service could not open it again.
func (s *serviceRig) assertServiceOwns(after string) {
	s.t.Helper()
	for _, dir := range []string{s.state, filepath.Dir(s.logFile)} {
		if bad := s.foreign(dir); len(bad) > 0 {
			s.t.Errorf("after %s, files the service user %s does not own (it could not open them again):\n  %s",
				after, s.user, strings.Join(bad, "\n  "))
		}
	}
}

func chmod(t *testing.T, p string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, p string, uid, gid int) {
	t.Helper()
	if err := os.Chown(p, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// waitRunning waits for the daemon's first full scan and checks from its
// start line that it runs as the service user.
func (s *serviceRig) waitRunning() {
	s.t.Helper()
	s.eventually("the service's first scan", 30*time.Second, func() bool {
		st, ok := s.statusFile()
		return ok && st.State == "running" && !st.Watcher.LastScan.IsZero()
	})
	if !strings.Contains(s.logText(), "user="+s.user) {
		s.t.Fatalf("the start line does not say user=%s: is setpriv %q working?\nlog:\n%s", s.user, s.as, s.logTail())
	}
}

// idle waits until the status file shows done uploads, failed failures
// and nothing queued or active.
func (s *serviceRig) idle(what string, done, failed int) {
	s.t.Helper()
	s.eventually(what, 30*time.Second, func() bool {
		st, ok := s.statusFile()
		return ok && st.Done == done && st.Failed == failed && st.Queued == 0 && st.Active == 0
	})
}

// nobodyAs runs a command as nobody (primary group gid), with extra
// capabilities (setpriv's +name list) or none.
func nobodyAs(gid, caps string) []string {
	as := []string{"setpriv", "--reuid=nobody", "--regid=" + gid, "--clear-groups"}
	if caps == "" {
		as = append(as, "--inh-caps=-all")
	} else {
		as = append(as, "--inh-caps="+caps, "--ambient-caps="+caps)
	}
	return append(as, "--reset-env", "--", "/usr/bin/env", "GORACE=halt_on_error=1")
}

// configCopy writes the rig's config under another name, owner and mode,
// with each old path (quoted in the TOML) replaced by its new one.
func (s *serviceRig) configCopy(t *testing.T, name string, uid, gid int, mode os.FileMode, paths map[string]string) string {
	t.Helper()
	data, err := os.ReadFile(s.config)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for from, to := range paths {
		if !strings.Contains(text, `"`+from+`"`) {
			t.Fatalf("the config does not name %s", from)
		}
		text = strings.ReplaceAll(text, `"`+from+`"`, `"`+to+`"`)
	}
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	chown(t, p, uid, gid)
	chmod(t, p, mode)
	return p
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
