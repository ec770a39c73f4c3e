package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// # Several shows
//
// A config names its shows in one of two forms:
//
//   - the single-show form: an [api] table and one [watch] table, as
//     configs have always been written. It is one show, named after the
//     root's folder unless watch.name says otherwise.
//   - the several-shows form: one [[watch]] table per show. Each takes
//     the same keys as [watch] (root, dirs, settle, rescan, poll,
//     poll_interval, include, exclude, open_writer_max), and its own name,
//     project_id, token or token_file, base_url and priority.
//
// The defaults of a show's own keys are the top-level tables: project_id,
// token / token_file (or ODAILIES_TOKEN) and base_url come from [api],
// priority from upload.priority; the other keys have the defaults of
// config.example.toml. TOML cannot hold a [watch] table beside [[watch]]
// tables, so there are no file-wide watch defaults. A show's token is
// its own token or token_file (exactly one) if it sets either; otherwise
// the [api] token source, chosen by the single-show rule (exactly one of
// api.token, api.token_file, ODAILIES_TOKEN).
//
// Refused, each naming the table's key and line: a [[watch]] without a
// name when there are several, two shows of one name, a show whose root
// is inside another's, two shows on the same root and project (their
// uploads would be one), and a show with no token source at all.
//
// Config.API and Config.Watch are the first show's, for the commands that
// need one project (clips get, clips patch); everything that uploads
// goes through Config.Shows.

// Show is one show: its name, its API identity and its watched tree.
type Show struct {
	Name     string
	API      APIConfig
	Watch    WatchConfig
	Priority []string // the show's upload.priority
}

// showPlace is a [[watch]] table for messages: its index from 0 and name.
type showPlace struct {
	index int
	name  string
}

// place is the line and label of a watch.* key of this table, such as
// `watch[2].root (show "B")`.
func (p *showPlace) place(data, key string) (int, string) {
	sub := strings.TrimPrefix(key, "watch.")
	label := fmt.Sprintf("watch[%d].%s", p.index+1, sub)
	if p.name != "" {
		label += fmt.Sprintf(" (show %q)", p.name)
	}
	return showKeyLine(data, p.index, sub), label
}

// showKeyLine is the line of key in the index-th [[watch]] table, or 0.
func showKeyLine(data string, index int, key string) int {
	var top struct {
		Watch []map[string]toml.Primitive `toml:"watch"`
	}
	md, err := toml.Decode(data, &top)
	if err != nil || index >= len(top.Watch) {
		return 0
	}
	prim, ok := top.Watch[index][key]
	if !ok {
		return 0
	}
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(prim, &lineProbe{}), &pe) {
		return pe.Position.Line
	}
	return 0
}

// decodedShows is a several-shows file, decoded.
type decodedShows struct {
	rawShows
	md toml.MetaData
}

// decodeShows decodes a file of [[watch]] tables: the common tables over
// their defaults, then each show over defaultWatch.
func (l *loader) decodeShows(defaults rawCommon) (*decodedShows, []rawWatch, error) {
	d := &decodedShows{rawShows: rawShows{rawCommon: defaults}}
	md, err := toml.Decode(l.data, &d.rawShows)
	if err != nil {
		return nil, nil, l.tomlError("", err)
	}
	d.md = md
	watches := make([]rawWatch, 0, len(d.Watch))
	for _, p := range d.Watch {
		w := defaultWatch()
		if err := md.PrimitiveDecode(p, &w); err != nil {
			return nil, nil, l.tomlError("", err)
		}
		watches = append(watches, w)
	}
	return d, watches, nil
}

// build turns the decoded file into a Config, recording every problem in
// l.errs and l.warnings.
func (l *loader) build(r *rawCommon, watches []rawWatch) *Config {
	cfg := &Config{Path: l.path}
	l.serviceUser = strings.TrimSpace(r.Service.User)
	several := l.severalForm()
	for i, w := range watches {
		if several {
			l.show = &showPlace{index: i, name: strings.TrimSpace(w.Name)}
		}
		cfg.Shows = append(cfg.Shows, l.buildShow(r, w, several, len(watches)))
		l.show = nil
	}
	if len(cfg.Shows) == 0 {
		l.errs = append(l.errs, fmt.Errorf("config %s: watch: no [[watch]] table: give at least one show", l.path))
		cfg.Shows = []Show{{}}
	}
	cfg.API, cfg.Watch = cfg.Shows[0].API, cfg.Shows[0].Watch
	cfg.Upload = l.buildUpload(r, cfg.Watch.Dirs)
	for i, s := range cfg.Shows {
		if several {
			l.show = &showPlace{index: i, name: s.Name}
		}
		l.checkAfterUploadVerify(s.Watch, cfg.Upload)
		l.show = nil
	}
	if several {
		l.checkShows(cfg.Shows)
	}
	cfg.State.Dir = l.buildPath("state.dir", r.State.Dir, defaultStateDir())
	cfg.Log = l.buildLog(r)
	cfg.Service = l.buildService(r)
	cfg.UI = l.buildUI(r)
	cfg.Notify = l.buildNotify(r)
	for _, s := range cfg.Shows {
		l.checkOwnFilesOutside(cfg, s.Watch)
	}
	return cfg
}

// severalForm reports whether the file has [[watch]] tables.
func (l *loader) severalForm() bool {
	var tree map[string]any
	if _, err := toml.Decode(l.data, &tree); err != nil {
		return false
	}
	_, ok := tree["watch"].([]map[string]any)
	return ok
}

// buildShow checks one show. In the single-show form its API keys are
// [api]'s; in the several-shows form the table's own, else [api]'s.
func (l *loader) buildShow(r *rawCommon, w rawWatch, several bool, n int) Show {
	s := Show{Name: strings.TrimSpace(w.Name), Watch: l.buildWatch(w)}
	switch {
	case s.Name == "" && several && n > 1:
		l.errf("watch.name", "not set: give each [[watch]] table a name of its own, e.g. name = \"%s\"", showNameFor(s.Watch.Root))
	case s.Name == "":
		s.Name = showNameFor(s.Watch.Root)
	default:
		l.checkShowName(s.Name)
	}
	if !several {
		s.API = l.buildAPI(r, w)
	} else {
		s.API = l.buildShowAPI(r, w)
	}
	s.Priority = r.Upload.Priority
	key := "upload.priority"
	if w.Priority != nil {
		s.Priority, key = w.Priority, "watch.priority"
	}
	s.Priority = l.checkPriority(key, s.Priority, s.Watch.Dirs)
	return s
}

// showNameFor is the name of a show that has none: its root's folder.
func showNameFor(root string) string {
	if b := filepath.Base(root); b != "." && b != string(filepath.Separator) && b != "" {
		return b
	}
	return "default"
}

// maxShowName bounds watch.name: it is shown in log lines and status.
const maxShowName = 64

// checkShowName refuses names that cannot be shown on one line.
func (l *loader) checkShowName(name string) {
	switch {
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		l.errf("watch.name", "%q holds a control character or is not UTF-8: use a plain name", name)
	case utf8.RuneCountInString(name) > maxShowName:
		l.errf("watch.name", "is longer than %d characters", maxShowName)
	}
}

// buildAPI checks the [api] table (and the per-show keys a [watch] table
// may set) and picks the token: the single-show form.
func (l *loader) buildAPI(r *rawCommon, w rawWatch) APIConfig {
	if w.ProjectID != "" || w.Token != "" || w.TokenFile != "" || w.BaseURL != "" {
		return l.buildShowAPI(r, w)
	}
	a := APIConfig{BaseURL: l.checkBaseURL("api.base_url", r.API.BaseURL), ProjectID: strings.TrimSpace(r.API.ProjectID)}
	if a.ProjectID == "" {
		l.errf("api.project_id", "not set: copy the project id from the oDailies project settings")
	}
	a.Token, a.TokenSource = l.token(r.API.Token, r.API.TokenFile)
	return a
}

// buildShowAPI is a show's API identity: its own keys, else [api]'s.
func (l *loader) buildShowAPI(r *rawCommon, w rawWatch) APIConfig {
	var a APIConfig
	if strings.TrimSpace(w.BaseURL) != "" {
		a.BaseURL = l.checkBaseURL("watch.base_url", w.BaseURL)
	} else {
		a.BaseURL = l.checkBaseURL("api.base_url", r.API.BaseURL)
	}
	a.ProjectID = strings.TrimSpace(w.ProjectID)
	if a.ProjectID == "" {
		a.ProjectID = strings.TrimSpace(r.API.ProjectID)
	}
	if a.ProjectID == "" {
		l.errf("watch.project_id", "not set: copy the project id from the oDailies project settings into this show's table (or api.project_id, for every show without one)")
	}
	inline, file := strings.TrimSpace(w.Token), strings.TrimSpace(w.TokenFile)
	switch {
	case inline != "" && file != "":
		l.errf("watch.token", "both token and token_file are set: keep exactly one")
	case inline != "":
		l.warnReadable("watch.token", l.path, "the config holds the token and")
		a.Token, a.TokenSource = l.checkToken("watch.token", inline), l.showKey("watch.token")
	case file != "":
		p := resolvePath(l.dir, file)
		a.Token = l.tokenFileAs("watch.token_file", p)
		a.TokenSource = fmt.Sprintf("%s (%s)", l.showKey("watch.token_file"), p)
	default:
		a.Token, a.TokenSource = l.apiToken(r)
	}
	return a
}

// showKey is key as messages name it for the show being built.
func (l *loader) showKey(key string) string {
	if l.show == nil {
		return key
	}
	_, label := l.show.place("", key)
	return label
}

// apiToken is the [api] token for a show without its own, read once; a
// file with no token source at all is an error about the show.
func (l *loader) apiToken(r *rawCommon) (tok, source string) {
	if strings.TrimSpace(r.API.Token) == "" && strings.TrimSpace(r.API.TokenFile) == "" && strings.TrimSpace(l.getenv(tokenEnv)) == "" {
		l.errf("watch.token", "no token for this show: set token or token_file in its [[watch]] table, or api.token, api.token_file or %s for every show without one", tokenEnv)
		return "", ""
	}
	if l.defaultToken == nil {
		show := l.show
		l.show = nil // the [api] keys' errors are about [api]
		tok, source := l.token(r.API.Token, r.API.TokenFile)
		l.show = show
		l.defaultToken = &[2]string{tok, source}
	}
	return l.defaultToken[0], l.defaultToken[1]
}

// checkShows refuses shows that would mix up their uploads or state.
func (l *loader) checkShows(shows []Show) {
	for i := range shows {
		a := &shows[i]
		l.show = &showPlace{index: i, name: a.Name}
		for j := range i {
			b := &shows[j]
			switch {
			case a.Name != "" && a.Name == b.Name:
				l.errf("watch.name", "%q is also the name of watch[%d]: each show needs a name of its own", a.Name, j+1)
			case a.Watch.Root == "" || b.Watch.Root == "":
			case sameRoot(a.Watch.Root, b.Watch.Root) && a.API.ProjectID == b.API.ProjectID && a.API.BaseURL == b.API.BaseURL:
				l.errf("watch.root", "%s with project %q is also show %q (watch[%d]): one tree to one project is one show; remove one table", a.Watch.Root, a.API.ProjectID, b.Name, j+1)
			case sameRoot(a.Watch.Root, b.Watch.Root):
			case within(a.Watch.Root, b.Watch.Root):
				l.errf("watch.root", "%s is inside the root of show %q (%s): its files would be watched twice; give each show a tree of its own", a.Watch.Root, b.Name, b.Watch.Root)
			case within(b.Watch.Root, a.Watch.Root):
				l.errf("watch.root", "%s holds the root of show %q (%s): its files would be watched twice; give each show a tree of its own", a.Watch.Root, b.Name, b.Watch.Root)
			}
		}
		l.show = nil
	}
}

// sameRoot reports whether two roots are one folder by their paths.
func sameRoot(a, b string) bool { return within(a, b) && within(b, a) }
