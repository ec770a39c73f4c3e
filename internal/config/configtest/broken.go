package configtest

import (
	"path/filepath"
	"regexp"
)

// Broken are configs that config.Load must refuse, and check -offline and
// run with exit 2, each error naming what Want lists.
var Broken = []struct {
	Name  string
	Body  func(root string) string // nil: Body(root) as it is
	Env   map[string]string
	Files map[string]string // written next to the config first
	Want  []string
}{
	{"unknown key", Plus("sttle = \"5s\"\n"), nil, nil, []string{`line 7`, `"watch.sttle"`}},
	{"unknown table", Plus("[extra]\nx = 1\n"), nil, nil, []string{`line 7`, `"extra"`}},
	{"key in wrong case", Plus("SETTLE = \"5s\"\n"), nil, nil, []string{`line 7`, `"watch.SETTLE"`}},
	{"syntax error", Plus("settle = \"5s\n"), nil, nil, []string{"line 7", "syntax error"}},
	{"duplicate key", Plus("root = \"/x\"\n"), nil, nil, []string{"line 7"}},
	{"bad duration", Plus("settle = \"5 sec\"\n"), nil, nil, []string{"line 7", "watch.settle", `"5 sec"`}},
	{"duration as number", Plus("rescan = 600\n"), nil, nil, []string{"line 7", "watch.rescan"}},
	{"negative settle", Plus("settle = \"-1s\"\n"), nil, nil, []string{"line 7", "watch.settle", "negative"}},
	{"bad size", Plus("[log]\nmax_size = \"64XB\"\n"), nil, nil, []string{"line 8", "log.max_size"}},
	{"bad log size", Plus("[log]\nmax_size = \"big\"\n"), nil, nil, []string{"log.max_size"}},
	{"bad rate", Plus("[upload]\nbandwidth = \"40MB\"\n"), nil, nil, []string{"line 8", "upload.bandwidth", "/s"}},
	{"zero rate", Plus("[upload]\nbandwidth = \"0MB/s\"\n"), nil, nil, []string{"upload.bandwidth"}},
	{"workers 0", Plus("[upload]\nworkers = 0\n"), nil, nil, []string{"line 8", "upload.workers", "1 to 64"}},
	{"workers 1000", Plus("[upload]\nworkers = 1000\n"), nil, nil, []string{"upload.workers"}},
	{"workers as text", Plus("[upload]\nworkers = \"4\"\n"), nil, nil, []string{"upload.workers"}},
	{"empty dirs", Plus("dirs = []\n"), nil, nil, []string{"line 7", "watch.dirs", "empty"}},
	{"empty dir name", Plus("dirs = [\"_graded\", \"\"]\n"), nil, nil, []string{"watch.dirs", "empty name"}},
	{"dir with ..", Plus("dirs = [\"_graded/../../etc\"]\n"), nil, nil, []string{"watch.dirs", ".."}},
	{"dir is ..", Plus("dirs = [\"..\"]\n"), nil, nil, []string{"watch.dirs"}},
	{"absolute dir", Plus("dirs = [\"/etc\"]\n"), nil, nil, []string{"watch.dirs", "absolute"}},
	{"drive-letter dir", Plus("dirs = ['C:\\graded']\n"), nil, nil, []string{"watch.dirs", "absolute"}},
	{"duplicate dir", Plus("dirs = [\"_graded\", \"./_graded\"]\n"), nil, nil, []string{"watch.dirs", "twice"}},
	{"missing root", Edit(`root = ".*"`, ""), nil, nil, []string{"watch.root", "not set"}},
	{"empty root", Edit(`root = ".*"`, `root = ""`), nil, nil, []string{"watch.root"}},
	{"http to a remote host", Edit(`base_url = ".*"`, `base_url = "http://odailies.com/api/v1"`), nil, nil, []string{"line 2", "api.base_url", "https"}},
	{"relative base_url", Edit(`base_url = ".*"`, `base_url = "api/v1"`), nil, nil, []string{"api.base_url", "absolute URL"}},
	{"ftp base_url", Edit(`base_url = ".*"`, `base_url = "ftp://127.0.0.1/api"`), nil, nil, []string{"api.base_url"}},
	{"base_url with query", Edit(`base_url = ".*"`, `base_url = "https://odailies.com/api/v1?x=1"`), nil, nil, []string{"api.base_url"}},
	{"bad include glob", Plus("include = [\"*.mov\", \"[a-\"]\n"), nil, nil, []string{"watch.include", `"[a-"`}},
	{"bad exclude glob", Plus("exclude = [\"\\\\\"]\n"), nil, nil, []string{"watch.exclude"}},
	{"two token sources", nil, map[string]string{"ODAILIES_TOKEN": "env-token-0123456789"}, nil, []string{"api.token", "ODAILIES_TOKEN", "exactly one"}},
	{"three token sources", Edit(`token = ".*"`, "token = \"a\"\ntoken_file = \"tok\""), map[string]string{"ODAILIES_TOKEN": "x"}, map[string]string{"tok": "x"}, []string{"api.token, api.token_file, ODAILIES_TOKEN"}},
	{"missing token", Edit(`token = ".*"`, ""), nil, nil, []string{"api.token", "no token"}},
	{"token with a space", Edit(`token = ".*"`, `token = "two words"`), nil, nil, []string{"api.token", "one word"}},
	{"missing project_id", Edit(`project_id = ".*"`, ""), nil, nil, []string{"api.project_id"}},
	{"unreadable token_file", Edit(`token = ".*"`, `token_file = "missing-token.txt"`), nil, nil, []string{"api.token_file", "missing-token.txt"}},
	{"token_file is a folder", Edit(`token = ".*"`, `token_file = "."`), nil, nil, []string{"api.token_file"}},
	{"empty token_file", Edit(`token = ".*"`, `token_file = "tok"`), nil, map[string]string{"tok": " \n\t\n"}, []string{"api.token_file", "empty"}},
	{"two-line token_file", Edit(`token = ".*"`, `token_file = "tok"`), nil, map[string]string{"tok": "abc\ndef\n"}, []string{"api.token_file"}},
	{"retry_min above retry_max", Plus("[upload]\nretry_min = \"10m\"\nretry_max = \"1m\"\n"), nil, nil, []string{"line 8", "upload.retry_min", "retry_max"}},
	{"bad log.level", Plus("[log]\nlevel = \"loud\"\n"), nil, nil, []string{"line 8", "log.level", `"loud"`}},
	{"negative log.keep", Plus("[log]\nkeep = -1\n"), nil, nil, []string{"log.keep"}},
	{"bad header name", Plus("[upload]\nheaders = { \"bad name\" = \"x\" }\n"), nil, nil, []string{"upload.headers", `"bad name"`}},
	{"managed header", Plus("[upload]\nheaders = { \"Content-Length\" = \"1\" }\n"), nil, nil, []string{"upload.headers"}},
	{"bad service name", Plus("[service]\nname = \"my service\"\n"), nil, nil, []string{"service.name"}},
	{"zero rescan", Plus("rescan = \"0s\"\n"), nil, nil, []string{"watch.rescan"}},
	{"dashboard on every address without a password", Plus("[ui]\nlisten = \"0.0.0.0:8484\"\n"), nil, nil, []string{"ui.listen", "ui.password_file", "0.0.0.0:8484", "not a loopback address"}},
	{"dashboard on a LAN address without a password", Plus("[ui]\nlisten = \"192.168.1.20:8484\"\n"), nil, nil, []string{"line 8", "ui.listen", "ui.password_file"}},
	{"dashboard on a host name without a password", Plus("[ui]\nlisten = \"ingest-mac.local:8484\"\n"), nil, nil, []string{"ui.listen", "ui.password_file"}},
	{"dashboard listen without a port", Plus("[ui]\nlisten = \"127.0.0.1\"\n"), nil, nil, []string{"ui.listen", "host:port"}},
	{"dashboard port out of range", Plus("[ui]\nlisten = \"127.0.0.1:99999\"\n"), nil, nil, []string{"ui.listen", "0 to 65535"}},
	{"missing dashboard password file", Plus("[ui]\nlisten = \"0.0.0.0:8484\"\npassword_file = \"nope.txt\"\n"), nil, nil, []string{"ui.password_file", "nope.txt"}},
	{"empty dashboard password file", Plus("[ui]\npassword_file = \"pw\"\n"), nil, map[string]string{"pw": " \n"}, []string{"ui.password_file", "empty"}},
	{"state.dir inside a watched folder", func(root string) string {
		return Body(root) + "[state]\ndir = " + Quote(filepath.Join(root, "_graded", "state")) + "\n"
	}, nil, nil, []string{"state.dir", "inside the watched folder", "_graded"}},
	{"log.file inside a watched folder", func(root string) string {
		return Body(root) + "[log]\nfile = " + Quote(filepath.Join(root, "_thumbnails", "up.log")) + "\n"
	}, nil, nil, []string{"log.file", "inside the watched folder"}},
}

// Plus appends text to the valid test config.
func Plus(text string) func(string) string {
	return func(root string) string { return Body(root) + text }
}

// Edit replaces the line matching pattern in the valid test config.
func Edit(pattern, repl string) func(string) string {
	re := regexp.MustCompile(`(?m)^` + pattern + `$`)
	return func(root string) string { return re.ReplaceAllLiteralString(Body(root), repl) }
}
