package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestNotifyTables(t *testing.T) {
	root := configtest.Root(t)
	auth := filepath.Join(t.TempDir(), "hook-auth")
	if err := os.WriteFile(auth, []byte("Bearer s3cret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	body := configtest.Body(root) + `
[[notify]]
url = "https://hooks.slack.com/services/T0/B0/secretpath"
format = "slack"
events = ["failure", "caught-up"]
quiet = "30m"
authorization_file = ` + configtest.Quote(auth) + `

[[notify]]
url = "http://127.0.0.1:9000/hook"
`
	cfg, _ := load(t, body, nil)
	want := []NotifyConfig{
		{URL: "https://hooks.slack.com/services/T0/B0/secretpath", Events: []string{"failure", "caught-up"},
			Format: "slack", Quiet: 30 * time.Minute, AuthorizationFile: auth, Authorization: "Bearer s3cret-value"},
		{URL: "http://127.0.0.1:9000/hook", Events: []string{"failure", "health", "caught-up"}, Format: "json",
			Quiet: 10 * time.Minute},
	}
	if !reflect.DeepEqual(cfg.Notify, want) {
		t.Errorf("notify = %+v\nwant %+v", cfg.Notify, want)
	}
	s := cfg.Settings()
	for k, v := range s {
		if strings.Contains(v, "secretpath") || strings.Contains(v, "s3cret") {
			t.Errorf("check shows a secret in %s: %q", k, v)
		}
	}
	if got := s["notify.url"]; got != "https://hooks.slack.com/…; http://127.0.0.1:9000/…" {
		t.Errorf("notify.url shown as %q", got)
	}
}

func TestNotifyRefusals(t *testing.T) {
	root := configtest.Root(t)
	for _, tc := range []struct{ table, want string }{
		{`format = "json"`, "notify[0].url: missing"},
		{`url = "ftp://h/x"` + "\n", "notify[0].url: ftp://h/… is not an http or https address"},
		{`url = "https://h/x"` + "\nformat = \"xml\"", `notify[0].format: "xml" is not`},
		{`url = "https://h/x"` + "\nevents = [\"done\"]", `notify[0].events: "done" is not one of`},
		{`url = "https://h/x"` + "\nquiet = \"-1m\"", "notify[0].quiet: -1m0s is negative"},
		{`url = "https://h/x"` + "\nauthorization_file = \"/nonexistent/a\"", "notify[0].authorization_file: cannot read it"},
		{`url = "https://h/x"` + "\nsecret = 1", `unknown key "notify.secret"`},
	} {
		_, _, err := Load(configtest.Write(t, t.TempDir(), configtest.Body(root)+"\n[[notify]]\n"+tc.table+"\n"), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.table, err, tc.want)
		}
	}
}
