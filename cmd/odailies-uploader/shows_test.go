package main

import (
	"regexp"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
	"github.com/odailies/odailies-uploader/internal/redact"
)

// TestCheckOfflineSeveralShows: check prints the shared keys once and
// each show's watch keys as watch[N].key, each token redacted.
func TestCheckOfflineSeveralShows(t *testing.T) {
	a, b := configtest.Root(t), configtest.Root(t)
	const tokA, tokB = "token-of-show-a-0123456789", "token-of-show-b-0123456789"
	body := "[api]\nbase_url = \"http://127.0.0.1:1/api/v1\"\n" +
		"[[watch]]\nname = \"Show A\"\nroot = " + configtest.Quote(a) + "\nproject_id = \"pa\"\ntoken = \"" + tokA + "\"\n" +
		"[[watch]]\nname = \"Show B\"\nroot = " + configtest.Quote(b) + "\nproject_id = \"pb\"\ntoken = \"" + tokB + "\"\nsettle = \"30s\"\n"
	r := runCLI(t, nil, "check", "-offline", "-config", configtest.Write(t, t.TempDir(), body))
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.all())
	}
	for _, want := range []string{
		`(?m)^watch\[1\]\.name +Show A$`, `(?m)^watch\[2\]\.name +Show B$`,
		`(?m)^watch\[1\]\.root +` + regexp.QuoteMeta(a) + `$`, `(?m)^watch\[2\]\.root +` + regexp.QuoteMeta(b) + `$`,
		`(?m)^watch\[1\]\.settle +5s$`, `(?m)^watch\[2\]\.settle +30s$`,
		`(?m)^watch\[2\]\.project_id +pb$`, `(?m)^upload\.workers +4$`,
		regexp.QuoteMeta(redact.Token(tokB)),
	} {
		if !regexp.MustCompile(want).MatchString(r.stdout) {
			t.Errorf("output lacks %s:\n%s", want, r.stdout)
		}
	}
	if regexp.MustCompile(`(?m)^watch\.root `).MatchString(r.stdout) {
		t.Errorf("output has a watch.root row beside the shows':\n%s", r.stdout)
	}
	for _, tok := range []string{tokA, tokB} {
		assertNoSecret(t, r.all(), tok)
	}
}
