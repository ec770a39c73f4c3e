package e2e

import (
	"bytes"
	"context"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Behaviour 15: the daemon as the packaged unit runs it (its user, group,
// capabilities and NoNewPrivileges, through setpriv), with the admin's
// commands run as root beside it.

// TestServiceUserOpenWriter: a root process writing a file in bursts,
// pausing longer than settle with the file open, is seen as a writer by
// the daemon running as the service user (which cannot read root's
// /proc/PID/fd): one sign, one PUT, the complete bytes. A second file
// written in the same bursts but closed between them shows the pauses
// are long enough for an upload.
func TestServiceUserOpenWriter(t *testing.T) {
	const settle = 400 * time.Millisecond
	s := newServiceRig(t, rigOptions{countPuts: true, settle: settle.String()})
	d := s.runAsService()
	s.waitRunning()

	const held, reopened = "_graded/A002C003_260422_render.mov", "_graded/A002C004_260422_closed.mov"
	files := tree{held: randomBytes(t, 3<<20+123), reopened: randomBytes(t, 1<<20+45)}
	f := createAsRoot(t, s.root, held)
	defer f.Close()
	const bursts = 4
	for i := range bursts {
		write(t, f, burst(files[held], i, bursts))
		appendClosed(t, s.root, reopened, burst(files[reopened], i, bursts))
		if i == bursts-1 {
			break
		}
		// The render pauses with the file open: unchanged for 3× settle.
		time.Sleep(3 * settle)
		if n := s.signs(held); n != 0 {
			t.Fatalf("the daemon (as %s) signed %s %d time(s) while root still held it open for writing, "+
				"in pause %d of %d (settle %s): the open-writer check missed a writer of another user\nlog:\n%s",
				s.user, held, n, i+1, bursts-1, settle, s.logTail())
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	s.eventually("both files uploaded whole", 30*time.Second, func() bool {
		for rel, content := range files {
			if data, ok := s.s3.Object(t, rel); !ok || !bytes.Equal(data, content) {
				return false
			}
		}
		st, ok := s.statusFile()
		return ok && st.Queued == 0 && st.Active == 0
	})
	d.stop()
	if n := s.signs(reopened); n < 2 {
		t.Errorf("%s, closed between bursts, was signed %d time(s), want one per pause: "+
			"the pauses did not test the open-writer check\nlog:\n%s", reopened, n, s.logTail())
	}
	if n := s.puts.Puts(held); n != 1 {
		t.Errorf("%d PUTs of %s reached storage, want exactly 1 (after the writer closed it)\nlog:\n%s", n, held, s.logTail())
	}
	if n := s.signs(held); n != 1 {
		t.Errorf("%s was signed %d times, want 1\nlog:\n%s", held, n, s.logTail())
	}
	if !regexp.MustCompile(`file still open for writing; waiting".* path=` + regexp.QuoteMeta(held)).MatchString(s.logText()) {
		t.Errorf("the log never says %s was held open for writing", held)
	}
	s.assertStored(files)
	s.assertServiceOwns("a run as the service user")
}

// createAsRoot creates a file in the watch root, readable by the service,
// as a render running as root does.
func createAsRoot(t *testing.T, root, rel string) *os.File {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(root, filepath.FromSlash(rel)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	chmod(t, f.Name(), 0o644)
	return f
}

// appendClosed opens rel, appends data and closes it again.
func appendClosed(t *testing.T, root, rel string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(root, filepath.FromSlash(rel)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	chmod(t, f.Name(), 0o644)
	write(t, f, data)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, f *os.File, data []byte) {
	t.Helper()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// burst is the i-th of n parts of content, the last one taking the rest.
func burst(content []byte, i, n int) []byte {
	step := len(content) / n
	if i == n-1 {
		return content[i*step:]
	}
	return content[i*step : (i+1)*step]
}

// TestServiceUserAdmin: retry, status, report and sync run as root (and retry as
// other users) beside the daemon running as the service user, and with it
// stopped; the storage is https, and the files small enough to be sent
// from memory.
func TestServiceUserAdmin(t *testing.T) {
	s := newServiceRig(t, rigOptions{tls: true}) // storage over https, as signed URLs are
	const good, refused = "_graded/good.mov", "_graded/refused.mov"
	files := tree{good: randomBytes(t, 5000), refused: randomBytes(t, 6000)}
	files.write(t, s.root)
	s.makeReadable(s.root)
	s.signer.breakKey(refused, true)
	d := s.runAsService()
	s.waitRunning()
	s.idle("one upload done and one refused", 1, 1)
	// Fixed at the storage: only a retry sends it again.
	s.signer.breakKey(refused, false)

	steps := []struct {
		name string
		run  func(t *testing.T, s *serviceRig, d *daemon)
	}{
		{"other users refused", otherUsersRefused},
		{"root retry through the daemon", func(t *testing.T, s *serviceRig, d *daemon) { rootRetryRunning(t, s, files) }},
		{"root retry with the daemon stopped", rootRetryStopped},
		{"root report, the daemon stopped and running", rootReport},
		{"root sync refused", rootSyncRefused},
		{"root sync on a fresh install", rootSyncFreshInstall},
	}
	for _, step := range steps {
		if !t.Run(step.name, func(t *testing.T) { step.run(t, s, d) }) {
			return // the next steps build on this one
		}
	}
}

// otherUsersRefused: another unprivileged user, with a config of its own
// naming the service's state.dir, cannot retry: not through the file
// modes, and not past them (CAP_DAC_OVERRIDE) through the peer check.
func otherUsersRefused(t *testing.T, s *serviceRig, _ *daemon) {
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody to play another user: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	own := s.configCopy(t, "nobody.toml", uid, gid, 0o600, nil)
	signs := s.signs("_graded/refused.mov")
	asked := time.Now()
	for _, c := range []struct{ who, caps, config string }{
		{"nobody", "", own},
		{"nobody with CAP_DAC_OVERRIDE", "+dac_override", s.config},
	} {
		res := s.cmdAs(t.Context(), nobodyAs(nobody.Gid, c.caps), c.config, "retry")
		out := res.stdout + res.stderr
		if res.code == 0 || !strings.Contains(out, "only root and the") || !strings.Contains(out, "service user") {
			t.Errorf("retry as %s against the daemon running as %s: exit %d, want non-zero saying only root and the service user may\nstdout:\n%s\nstderr:\n%s\nlog:\n%s",
				c.who, s.user, res.code, res.stdout, res.stderr, s.logTail())
		}
		t.Logf("retry as %s: exit %d: %s", c.who, res.code, strings.TrimSpace(res.stderr))
	}
	if !strings.Contains(s.logText(), "control connection refused") {
		t.Errorf("the daemon did not log the refused connection of nobody with CAP_DAC_OVERRIDE\nlog:\n%s", s.logTail())
	}
	// The next status rewrite would show a requeued job, and its sign.
	s.eventually("a status rewrite after the refused retries", 15*time.Second, func() bool {
		st, ok := s.statusFile()
		return ok && st.Updated.After(asked.Add(time.Second))
	})
	st, _ := s.statusFile()
	if st.Failed != 1 || st.Done != 1 || s.signs("_graded/refused.mov") != signs ||
		strings.Contains(s.logText(), "put back in the queue") {
		t.Errorf("a refused retry changed the queue: status %+v, signs of the failed file %d → %d\nlog:\n%s",
			st, signs, s.signs("_graded/refused.mov"), s.logTail())
	}
	s.assertServiceOwns("retry as other users")
}

// rootRetryRunning: retry as root (plain, no setpriv) is handed to the
// daemon; status works as root; nothing root-owned is left in state.dir.
func rootRetryRunning(t *testing.T, s *serviceRig, files tree) {
	res := s.cmd(t.Context(), "retry", "_graded/refused.mov")
	if res.code != 0 || !strings.Contains(res.stdout, "1 failed upload(s) put back in the queue by the running daemon") {
		t.Fatalf("retry as root beside the daemon running as %s: exit %d, want 0 saying the running daemon took it\nstdout:\n%s\nstderr:\n%s\nlog:\n%s",
			s.user, res.code, res.stdout, res.stderr, s.logTail())
	}
	s.idle("the retried file uploaded", 2, 0)
	s.assertStored(files)
	if st := s.status(); st.State != "running" || st.Done != 2 || st.Failed != 0 {
		t.Errorf("status -json as root: %+v, want running with done=2 failed=0", st)
	}
	human := s.cmd(t.Context(), "status")
	if human.code != 0 || !strings.Contains(human.stdout, "running") {
		t.Errorf("status as root: exit %d\nstdout:\n%s\nstderr:\n%s", human.code, human.stdout, human.stderr)
	}
	s.assertServiceOwns("retry and status as root beside the running daemon")
}

// rootRetryStopped: with the daemon stopped, retry as root opens queue.db
// itself and leaves it the service user's, who then uploads the file; on
// a state.dir the service never used, it creates nothing.
func rootRetryStopped(t *testing.T, s *serviceRig, d *daemon) {
	const later = "_graded/later.mov"
	s.signer.breakKey(later, true)
	writeFile(t, s.root, later, randomBytes(t, 7000))
	s.makeReadable(s.root)
	s.idle("the new file refused", 2, 1)
	d.stop()
	s.signer.breakKey(later, false)

	res := s.cmd(t.Context(), "retry")
	if res.code != 0 || !strings.Contains(res.stdout, "1 failed upload(s) put back in the queue directly") {
		t.Fatalf("retry as root with the daemon stopped: exit %d, want 0 saying it requeued directly\nstdout:\n%s\nstderr:\n%s",
			res.code, res.stdout, res.stderr)
	}
	s.assertServiceOwns("retry as root with the daemon stopped")
	d2 := s.runAsService()
	s.idle("the service uploading the file root put back", 3, 0)
	d2.stop()
	if _, ok := s.s3.Object(t, later); !ok {
		t.Errorf("%s not uploaded after the retry", later)
	}

	fresh := filepath.Join(s.dir, "fresh-state")
	s.serviceDir(fresh)
	cfg := s.configCopy(t, "fresh.toml", 0, s.gid, 0o640, map[string]string{s.state: fresh})
	res = s.cmdAs(t.Context(), nil, cfg, "retry")
	if res.code != 0 {
		t.Errorf("retry as root on a state.dir never used: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if names := dirNames(t, fresh); len(names) > 0 {
		t.Errorf("retry as root on a state.dir never used created %q in it, want nothing", names)
	}
}

// rootSyncRefused: sync as root on the service's state.dir stops with
// exit 2 naming the service user, and leaves nothing the service cannot
// open.
func rootSyncRefused(t *testing.T, s *serviceRig, _ *daemon) {
	s.syncAsRoot(t, "the service's state.dir", s.config, s.state, filepath.Dir(s.logFile))
}

// rootSyncFreshInstall: the same on a fresh install (state.dir and log
// folder empty, as the package leaves them), where root's sync is the
// first command run: the service must still start afterwards.
func rootSyncFreshInstall(t *testing.T, s *serviceRig, _ *daemon) {
	state, logDir := filepath.Join(s.dir, "install-state"), filepath.Join(s.dir, "install-log")
	s.serviceDir(state)
	s.serviceDir(logDir)
	install := s.configCopy(t, "install.toml", 0, s.gid, 0o640, map[string]string{
		s.state: state, s.logFile: filepath.Join(logDir, "uploader.log"),
	})
	s.syncAsRoot(t, "a fresh install's state.dir", install, state, logDir)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res := s.cmdAs(ctx, s.as, install, "sync")
	if res.code != 0 {
		t.Errorf("the service's first sync after root's refused one: exit %d, want 0\nstderr:\n%s", res.code, res.stderr)
	}
}

// syncAsRoot runs sync as root on a state.dir the service owns: exit 2
// naming the service user, and no file left in dirs the service does not
// own.
func (s *serviceRig) syncAsRoot(t *testing.T, what, config string, dirs ...string) {
	t.Helper()
	res := s.cmdAs(t.Context(), nil, config, "sync")
	// Every message starts with the program's name, which is also the
	// user's: look past it.
	said := strings.ReplaceAll(res.stderr, "odailies-uploader: ", "")
	if res.code != 2 || !strings.Contains(said, s.user) {
		t.Errorf("sync as root on %s: exit %d, want 2 naming the service user %s\nstdout:\n%s\nstderr:\n%s",
			what, res.code, s.user, res.stdout, res.stderr)
	}
	for _, dir := range dirs {
		if bad := s.foreign(dir); len(bad) > 0 {
			t.Errorf("sync as root on %s (refused) left files the service user %s does not own, so the service cannot open them:\n  %s",
				what, s.user, strings.Join(bad, "\n  "))
		}
	}
}
