package config

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unicode"
)

// tokenEnv is the environment variable that may hold the API token.
const tokenEnv = "ODAILIES_TOKEN"

// maxTokenFile bounds what is read from api.token_file.
const maxTokenFile = 64 << 10

// token picks the one configured token source and returns the token and
// a description of its source for `check`. Exactly one source must be set.
func (l *loader) token(inline, file string) (tok, source string) {
	inline, file = strings.TrimSpace(inline), strings.TrimSpace(file)
	env := strings.TrimSpace(l.getenv(tokenEnv))
	var set []string
	for _, src := range [][2]string{{"api.token", inline}, {"api.token_file", file}, {tokenEnv, env}} {
		if src[1] != "" {
			set = append(set, src[0])
		}
	}
	switch {
	case len(set) > 1:
		l.errf("api.token", "more than one token source is set (%s): keep exactly one", strings.Join(set, ", "))
		return "", ""
	case inline != "":
		l.warnReadable("api.token", l.path, "the config holds the token and")
		return l.checkToken("api.token", inline), "api.token"
	case file != "":
		p := resolvePath(l.dir, file)
		return l.tokenFile(p), fmt.Sprintf("api.token_file (%s)", p)
	case env != "":
		return l.checkToken(tokenEnv, env), tokenEnv
	}
	l.errf("api.token", "no token: set api.token, api.token_file, or the environment variable %s", tokenEnv)
	return "", ""
}

// tokenFile reads and trims the token file at p.
func (l *loader) tokenFile(p string) string { return l.tokenFileAs("api.token_file", p) }

// tokenFileAs reads and trims the token file at p, named by key.
func (l *loader) tokenFileAs(key, p string) string {
	f, err := os.Open(p)
	if err != nil {
		l.errf(key, "cannot read the token: %w", err)
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	switch {
	case err != nil:
		l.errf(key, "cannot read the token from %s: %w", p, err)
		return ""
	case len(data) > maxTokenFile:
		l.errf(key, "%s is larger than a token can be: is it the right file?", p)
		return ""
	}
	// Windows Notepad may save the file with a UTF-8 byte order mark.
	tok := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if tok == "" {
		l.errf(key, "%s is empty: put the API token in it", p)
		return ""
	}
	l.warnReadable(key, p, "the token file")
	return l.checkToken(key, tok)
}

// checkToken refuses a token holding control characters or inner spaces
// (a token file with two lines, a pasted line break). The error never
// shows the token.
func (l *loader) checkToken(key, tok string) string {
	if strings.IndexFunc(tok, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		l.errf(key, "the token holds a space, line break or control character: it must be one word")
		return ""
	}
	return tok
}

// warnReadable warns when the file at p, which holds the token, can be
// read by users other than its owner and the service: group-readable is
// fine when the group is the service's own (the package installs the
// config 0640 root:odailies-uploader on purpose). Windows permissions are
// ACLs that the mode bits do not show, so there it says nothing.
func (l *loader) warnReadable(key, p, what string) {
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(p)
	if err != nil {
		return
	}
	perm := fi.Mode().Perm()
	switch {
	case perm&0o004 != 0:
		l.warnf("%s: %s %s is readable by others (mode %04o): run chmod 600 %s", key, what, p, perm, p)
	case perm&0o040 != 0 && !serviceGroup(fi, l.serviceUser):
		l.warnf("%s: %s %s is readable by its group, which is not the service's (mode %04o): run chmod 600 %s, "+
			"or chgrp it to the service's group", key, what, p, perm, p)
	}
}
