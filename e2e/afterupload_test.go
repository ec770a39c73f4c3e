package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dmn "github.com/odailies/odailies-uploader/internal/daemon"
)

// actionCounts reads status.json's after-upload counts.
func (r *rig) actionCounts() (done, pending, failed, actedOn int, ok bool) {
	data, err := os.ReadFile(filepath.Join(r.state, "status.json"))
	if err != nil {
		return 0, 0, 0, 0, false
	}
	var s struct {
		Done    int `json:"done"`
		Pending int `json:"actions_pending"`
		Failed  int `json:"actions_failed"`
		ActedOn int `json:"actions_done"`
	}
	if json.Unmarshal(data, &s) != nil {
		return 0, 0, 0, 0, false
	}
	return s.Done, s.Pending, s.Failed, s.ActedOn, true
}

// TestAfterUploadKill9: with after_upload = move and = delete, the daemon
// is killed (SIGKILL) after every upload is recorded done and before any
// action is carried out (the test hook holds them; status.json says so),
// then started again without the hook: every file is acted on exactly
// once, none is uploaded twice (PUTs counted on their way to storage),
// and nothing is left behind in the watched folders.
func TestAfterUploadKill9(t *testing.T) {
	for _, action := range []string{"move", "delete"} {
		t.Run(action, func(t *testing.T) {
			r := newRig(t, rigOptions{countPuts: true, extraCfg: ""})
			cfg, err := os.ReadFile(r.config)
			if err != nil {
				t.Fatal(err)
			}
			cfg = bytes.Replace(cfg, []byte("[upload]\n"), []byte("after_upload = \""+action+"\"\n[upload]\n"), 1)
			if err := os.WriteFile(r.config, cfg, 0o600); err != nil {
				t.Fatal(err)
			}
			files := clipTree(t, 6, 64<<10)
			files["_graded/Day03/a.mov"] = randomBytes(t, 10_000)
			files.write(t, r.root)

			t.Setenv(dmn.HoldActionsEnv, "1")
			d := r.start()
			r.eventually("every upload done with its action pending", 60*time.Second, func() bool {
				done, pending, _, acted, ok := r.actionCounts()
				return ok && done == len(files) && pending == len(files) && acted == 0
			})
			for rel := range files {
				if _, err := os.Stat(filepath.Join(r.root, filepath.FromSlash(rel))); err != nil {
					t.Fatalf("%s acted on while held: %v", rel, err)
				}
			}
			d.kill()
			os.Unsetenv(dmn.HoldActionsEnv)

			d = r.start()
			r.eventually("every action carried out after the restart", 60*time.Second, func() bool {
				_, pending, failed, acted, ok := r.actionCounts()
				return ok && pending == 0 && failed == 0 && acted == len(files)
			})
			d.stop()

			r.assertStored(files)
			for rel, body := range files {
				if n := r.puts.Puts(rel); n != 1 {
					t.Errorf("%s: %d PUTs, want 1", rel, n)
				}
				if _, err := os.Lstat(filepath.Join(r.root, filepath.FromSlash(rel))); !os.IsNotExist(err) {
					t.Errorf("%s left in the watched folder (%v)", rel, err)
				}
				moved := filepath.Join(r.root, "_uploaded", filepath.FromSlash(rel))
				got, err := os.ReadFile(moved)
				switch {
				case action == "move" && (err != nil || !bytes.Equal(got, body)):
					t.Errorf("%s: at %s: %d bytes, %v", rel, moved, len(got), err)
				case action == "delete" && !os.IsNotExist(err):
					t.Errorf("%s: deleted, yet at %s (%v)", rel, moved, err)
				}
			}
			if action == "move" {
				if n := countFiles(filepath.Join(r.root, "_uploaded")); n != len(files) {
					t.Errorf("%d files under _uploaded, want %d (no second copy)", n, len(files))
				}
			}
			log := r.logText()
			if action == "move" && !strings.Contains(log, "moved _graded/Day03/a.mov to _uploaded/_graded/Day03/a.mov") {
				t.Errorf("no move line in the log:\n%s", r.logTail())
			}
			if action == "delete" && !strings.Contains(log, "deleted _graded/Day03/a.mov after its upload") {
				t.Errorf("no delete line in the log:\n%s", r.logTail())
			}
			if strings.Contains(log, "is empty (it held") {
				t.Errorf("a folder emptied by the actions was taken for a volume gone away:\n%s", r.logTail())
			}
		})
	}
}
