package config

import (
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// TestUploadVerify: upload.verify takes "md5" (the default) and "none";
// anything else is refused naming the key, its line and both values.
func TestUploadVerify(t *testing.T) {
	for _, v := range []string{"md5", "none"} {
		cfg, _ := load(t, configtest.Body(configtest.Root(t))+"[upload]\nverify = \""+v+"\"\n", nil)
		if cfg.Upload.Verify != v {
			t.Errorf("verify = %q: loaded %q", v, cfg.Upload.Verify)
		}
		if got := cfg.Settings()["upload.verify"]; got != `"`+v+`"` {
			t.Errorf("check prints upload.verify = %s", got)
		}
	}
	body := configtest.Body(configtest.Root(t)) + "[upload]\nverify = \"sha1\"\n"
	_, _, err := Load(configtest.Write(t, t.TempDir(), body), nil)
	if err == nil || !strings.Contains(err.Error(), "upload.verify") || !strings.Contains(err.Error(), `"sha1" is not a verification: use "md5" (the default) or "none"`) {
		t.Errorf("err = %v", err)
	}
}
