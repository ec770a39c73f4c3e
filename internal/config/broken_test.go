package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

func TestBrokenConfigsAreRefused(t *testing.T) {
	for _, tt := range configtest.Broken {
		t.Run(tt.Name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.Files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			root := configtest.Root(t)
			body := configtest.Body(root)
			if tt.Body != nil {
				body = tt.Body(root)
			}
			p := configtest.Write(t, dir, body)
			_, _, err := Load(p, func(k string) string { return tt.Env[k] })
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load: %v (%T), want a *Error", err, err)
			}
			for _, want := range tt.Want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if strings.Contains(err.Error(), configtest.Token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

// exampleLines are config.example.toml's key lines: "table.key" → the
// line without its leading "#", first occurrence only (later ones are
// examples), and whether it was commented out (commented: the default).
func exampleLines(t *testing.T) (lines map[string]string, commented map[string]bool) {
	t.Helper()
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	lines, commented = map[string]string{}, map[string]bool{}
	table := ""
	// #[[notify]] heads the commented example of an array table.
	tableRe, keyRe := regexp.MustCompile(`^(?:\[(\w+)\]|#?\[\[(\w+)\]\])$`), regexp.MustCompile(`^(\w+) *=`)
	for line := range strings.SplitSeq(string(example), "\n") {
		line = strings.TrimSpace(line)
		text, isComment := strings.CutPrefix(line, "#")
		if m := tableRe.FindStringSubmatch(line); m != nil {
			table = m[1] + m[2]
		} else if m := keyRe.FindStringSubmatch(text); m != nil {
			key := table + "." + m[1]
			if _, seen := lines[key]; !seen {
				lines[key], commented[key] = text, isComment
			}
		}
	}
	return lines, commented
}

func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	lines, _ := exampleLines(t)
	for _, key := range Keys {
		if _, ok := lines[key]; !ok {
			t.Errorf("config.example.toml does not show %s", key)
		}
	}
	for key := range lines {
		if !knownKey(key) {
			t.Errorf("config.example.toml shows %s, which the config does not know", key)
		}
	}
}

// TestExampleDefaultsAreTheDefaults loads the example's keys that are set
// (the ones a user must fill in) alone, then with every commented key
// uncommented: both must give the same config, so every default the
// example shows is the one the program uses.
func TestExampleDefaultsAreTheDefaults(t *testing.T) {
	lines, commented := exampleLines(t)
	root := configtest.Root(t)
	tables := map[string][]string{}
	var order []string
	for _, key := range Keys {
		table, name, _ := strings.Cut(key, ".")
		line, ok := lines[key]
		if !ok {
			continue
		}
		if _, seen := tables[table]; !seen {
			order = append(order, table)
		}
		switch {
		case name == "root":
			line = "root = " + configtest.Quote(root)
		case name == "token":
			line = `token = "example-token-0123456789"`
		case key == "notify.url": // an array table's one required key
			line = `url = "https://hooks.example.com/services/x"`
		case !commented[key]:
		default:
			line = "#" + line
		}
		tables[table] = append(tables[table], line)
	}
	var required, all strings.Builder
	for _, table := range order {
		header := "[" + table + "]\n"
		if table == "notify" {
			header = "[[notify]]\n"
		}
		required.WriteString(header)
		all.WriteString(header)
		for _, line := range tables[table] {
			if !strings.HasPrefix(line, "#") {
				required.WriteString(line + "\n")
			}
			all.WriteString(strings.TrimPrefix(line, "#") + "\n")
		}
	}
	noEnv := func(string) string { return "" }
	want, _, err := Load(configtest.Write(t, t.TempDir(), required.String()), noEnv)
	if err != nil {
		t.Fatalf("the example's required keys alone: %v\n%s", err, required.String())
	}
	got, _, err := Load(configtest.Write(t, t.TempDir(), all.String()), noEnv)
	if err != nil {
		t.Fatalf("the example with every default written out: %v\n%s", err, all.String())
	}
	got.Path, want.Path = "", ""
	if !reflect.DeepEqual(got, want) {
		gs, ws := got.Settings(), want.Settings()
		for _, key := range Keys {
			if gs[key] != ws[key] {
				t.Errorf("%s: config.example.toml shows %s, the default is %s", key, gs[key], ws[key])
			}
		}
		t.Errorf("the example's defaults differ from the program's:\n got %+v\nwant %+v", got, want)
	}
}
