package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func loadErr(t *testing.T, body string) error {
	t.Helper()
	_, _, err := Load(configtest.Write(t, t.TempDir(), body), nil)
	return err
}

// TestAfterUpload: keep is the default; move and delete load, with the
// folder under the root unless absolute.
func TestAfterUpload(t *testing.T) {
	root := configtest.Root(t)
	other := t.TempDir()
	tests := []struct{ keys, action, dir string }{
		{"", "keep", filepath.Join(root, "_uploaded")},
		{"after_upload = \"move\"\n", "move", filepath.Join(root, "_uploaded")},
		{"after_upload = \"move\"\nafter_upload_dir = \"done/today\"\n", "move", filepath.Join(root, "done", "today")},
		{"after_upload = \"move\"\nafter_upload_dir = " + configtest.Quote(other) + "\n", "move", other},
		{"after_upload = \"delete\"\n", "delete", filepath.Join(root, "_uploaded")},
	}
	for _, tt := range tests {
		cfg, _ := load(t, configtest.Body(root)+tt.keys, nil)
		if w := cfg.Shows[0].Watch; w.AfterUpload != tt.action || w.AfterUploadDir != tt.dir {
			t.Errorf("%q: after_upload %q dir %q, want %q %q", tt.keys, w.AfterUpload, w.AfterUploadDir, tt.action, tt.dir)
		}
	}
}

// TestAfterUploadErrors: errors name the key and its line.
func TestAfterUploadErrors(t *testing.T) {
	root := configtest.Root(t)
	tests := map[string]struct{ body, want string }{
		"unknown action": {configtest.Body(root) + "after_upload = \"archive\"\n",
			`line 7: watch.after_upload: "archive" is not an action`},
		"inside a watched folder": {configtest.Body(root) + "after_upload = \"move\"\nafter_upload_dir = \"_graded/done\"\n",
			"line 8: watch.after_upload_dir: " + filepath.Join(root, "_graded", "done") + " is inside or holds the watched folder _graded"},
		"the root itself": {configtest.Body(root) + "after_upload = \"move\"\nafter_upload_dir = \".\"\n",
			"line 8: watch.after_upload_dir: " + root + " holds the watch root"},
		"delete without md5": {configtest.Body(root) + "after_upload = \"delete\"\n[upload]\nverify = \"none\"\n",
			`line 7: watch.after_upload: "delete" needs upload.verify = "md5" (it is "none" on line 9)`},
	}
	for name, tt := range tests {
		err := loadErr(t, tt.body)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v\nwant it to hold %q", name, err, tt.want)
		}
	}
	// move with verify = none is allowed: nothing is lost by a move.
	cfg, _ := load(t, configtest.Body(root)+"after_upload = \"move\"\n[upload]\nverify = \"none\"\n", nil)
	if cfg.Shows[0].Watch.AfterUpload != "move" {
		t.Errorf("move with verify none: %q", cfg.Shows[0].Watch.AfterUpload)
	}
}

// TestAfterUploadPerShow: each [[watch]] table has its own action, and
// the delete check names the show.
func TestAfterUploadPerShow(t *testing.T) {
	a, b := configtest.Root(t), configtest.Root(t)
	cfg, _ := load(t, twoShows(a, b, "after_upload = \"delete\"\n"), nil)
	if cfg.Shows[0].Watch.AfterUpload != "keep" || cfg.Shows[1].Watch.AfterUpload != "delete" {
		t.Errorf("actions %q, %q; want keep, delete", cfg.Shows[0].Watch.AfterUpload, cfg.Shows[1].Watch.AfterUpload)
	}
	err := loadErr(t, strings.Replace(twoShows(a, b, "after_upload = \"delete\"\n"), "[upload]\n", "[upload]\nverify = \"none\"\n", 1))
	if err == nil || !strings.Contains(err.Error(), `watch[2].after_upload (show "Show B")`) || !strings.Contains(err.Error(), "upload.verify") {
		t.Errorf("err = %v", err)
	}
}
