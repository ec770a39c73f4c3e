package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// rootReport: report as root with the service stopped reads the
// service's queue.db and leaves everything the service's; with the
// service running as its user it is answered through the control
// socket; on a state.dir never used it says so and creates nothing.
func rootReport(t *testing.T, s *serviceRig, _ *daemon) {
	rows := s.reportCSV() // stopped: queue.db read directly
	if len(rows) != 3 {
		t.Fatalf("report as root with the service stopped: %d files, want 3: %v", len(rows), rows)
	}
	s.assertServiceOwns("report as root with the daemon stopped")
	d := s.runAsService()
	s.waitRunning()
	s.idle("the service back", 3, 0)
	running := s.reportCSV()
	for path, row := range rows {
		if running[path] != row {
			t.Errorf("%s: report from the running daemon %+v, from queue.db %+v", path, running[path], row)
		}
		if row.verified != "md5+etag" && row.verified != "md5" {
			t.Errorf("%s: verified %q, want md5+etag or md5", path, row.verified)
		}
		if want := md5sum(t, filepath.Join(s.root, filepath.FromSlash(path))); row.md5 != want {
			t.Errorf("%s: report md5 %q, md5sum %q", path, row.md5, want)
		}
	}
	d.stop()
	s.assertServiceOwns("report as root beside the running daemon")

	fresh := filepath.Join(s.dir, "fresh-report-state")
	s.serviceDir(fresh)
	cfg := s.configCopy(t, "fresh-report.toml", 0, s.gid, 0o640, map[string]string{s.state: fresh})
	res := s.cmdAs(t.Context(), nil, cfg, "report")
	if res.code != 1 || !strings.Contains(res.stderr, "nothing uploaded yet") {
		t.Errorf("report as root on a state.dir never used: exit %d, want 1 saying nothing was uploaded\n%s", res.code, res.stderr)
	}
	if names := dirNames(t, fresh); len(names) > 0 {
		t.Errorf("report on a state.dir never used created %q in it", names)
	}
}
