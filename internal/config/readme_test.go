package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

// TestReadmeConfigsLoad keeps the README's configs running: each ```toml
// block loads, with its roots and token files made real. Among them are a
// config of the single-show form, which must stay one show, and one of
// several shows.
func TestReadmeConfigsLoad(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	rootRe := regexp.MustCompile(`(?m)^root = ".*"$`)
	tokenRe := regexp.MustCompile(`(?m)^token_file = ".*"$`)
	var single, several int
	for i, b := range blocks {
		dir := t.TempDir()
		body := rootRe.ReplaceAllStringFunc(b[1], func(string) string { return "root = " + configtest.Quote(configtest.Root(t)) })
		n := 0
		body = tokenRe.ReplaceAllStringFunc(body, func(string) string {
			n++
			p := filepath.Join(dir, "token"+strings.Repeat("x", n))
			if err := os.WriteFile(p, []byte("readme-token-0123456789-"+strings.Repeat("x", n)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return "token_file = " + configtest.Quote(p)
		})
		cfg, _, err := Load(configtest.Write(t, dir, body), func(string) string { return "" })
		if err != nil {
			t.Errorf("README config %d does not load: %v\n%s", i+1, err, b[1])
			continue
		}
		switch {
		case strings.Contains(b[1], "[[watch]]"):
			several++
			if len(cfg.Shows) < 2 || cfg.Shows[0].API.Token == cfg.Shows[1].API.Token {
				t.Errorf("README config %d: %d shows, want several with tokens of their own", i+1, len(cfg.Shows))
			}
		case strings.Contains(b[1], "[watch]"):
			single++
			if len(cfg.Shows) != 1 || cfg.Shows[0].API != cfg.API {
				t.Errorf("README config %d (the single-show form): %d shows, want one with [api]'s identity", i+1, len(cfg.Shows))
			}
		}
	}
	if single == 0 || several == 0 {
		t.Errorf("the README shows %d single-show and %d several-shows configs: want both", single, several)
	}
}
