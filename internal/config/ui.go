package config

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
)

// DefaultUIListen is ui.listen's default: the dashboard on loopback only.
const DefaultUIListen = "127.0.0.1:8484"

// UIConfig is the [ui] table: the dashboard (and /metrics) listener.
type UIConfig struct {
	// Listen is host:port; "" turns the listener off.
	Listen string
	// PasswordFile is ui.password_file, absolute; "" when not set.
	// Password is its content, trimmed (never print it). A Listen that
	// is not loopback is refused without one.
	PasswordFile string
	Password     string
}

// maxPasswordFile bounds what is read from ui.password_file.
const maxPasswordFile = 4 << 10

// buildUI checks the [ui] table: the listen address parses, a
// non-loopback address has a password file, and the password file is
// readable by root and the service's user only.
func (l *loader) buildUI(r *rawCommon) UIConfig {
	u := UIConfig{Listen: strings.TrimSpace(r.UI.Listen)}
	if pf := strings.TrimSpace(r.UI.PasswordFile); pf != "" {
		u.PasswordFile = resolvePath(l.dir, pf)
		u.Password = l.passwordFile(u.PasswordFile)
	}
	if u.Listen == "" {
		return u
	}
	host, port, err := net.SplitHostPort(u.Listen)
	if err != nil {
		l.errf("ui.listen", "%q is not host:port (e.g. %q; \"\" turns the dashboard off): %v", u.Listen, DefaultUIListen, err)
		return u
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		l.errf("ui.listen", "%q: the port %q is not a number from 0 to 65535", u.Listen, port)
		return u
	}
	if !LoopbackHost(host) && u.PasswordFile == "" {
		l.errf("ui.listen", "%s is not a loopback address, so the dashboard (which can retry uploads) would be open to the network "+
			"without a password: set ui.password_file to a file holding one (readable only by root and the service's user), "+
			"or listen on %s and reach it through an SSH tunnel", u.Listen, DefaultUIListen)
	}
	return u
}

// LoopbackHost reports whether host (from a host:port) is this machine
// only: "localhost" or a loopback IP. Any other name may resolve to an
// address others can reach.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && a.IsLoopback()
}

// passwordFile reads the dashboard's password from p, refusing a file
// that anyone but root and the service's user could read.
func (l *loader) passwordFile(p string) string {
	const key = "ui.password_file"
	f, err := os.Open(p)
	if err != nil {
		l.errf(key, "cannot read the dashboard's password: %w", err)
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPasswordFile+1))
	switch {
	case err != nil:
		l.errf(key, "cannot read the dashboard's password from %s: %w", p, err)
		return ""
	case len(data) > maxPasswordFile:
		l.errf(key, "%s is larger than a password can be: is it the right file?", p)
		return ""
	}
	pw := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if pw == "" {
		l.errf(key, "%s is empty: put the dashboard's password in it", p)
		return ""
	}
	if msg := l.secretFileProblem(f, p); msg != "" {
		l.errf(key, "%s", msg)
		return ""
	}
	return pw
}

// secretFileProblem says why the open file f at p is readable by more
// than root and the service's user, or "". Others' read bit, a group
// read bit for a group that is not the service's, or an owner that is
// neither root, the service's user nor the user loading the config (that
// user could chmod it) are refused. Windows permissions are ACLs that
// the mode bits do not show, so there it says nothing.
func (l *loader) secretFileProblem(f *os.File, p string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("stat %s: %v", p, err)
	}
	perm := fi.Mode().Perm()
	switch {
	case perm&0o004 != 0:
		return fmt.Sprintf("%s is readable by every user (mode %04o): run chmod 600 %s", p, perm, p)
	case perm&0o040 != 0 && !serviceGroup(fi, l.serviceUser):
		return fmt.Sprintf("%s is readable by its group, which is not the service's (mode %04o): run chmod 600 %s, "+
			"or chgrp it to the service's group", p, perm, p)
	}
	if owner, ok := fileOwner(fi); ok && !l.mayOwnSecret(owner) {
		return fmt.Sprintf("%s is owned by uid %d, who is neither root nor the service's user and could read it: "+
			"run chown root %s (or the service's user)", p, owner, p)
	}
	return ""
}

// mayOwnSecret reports whether uid may own a secret file: root, the user
// loading the config, service.user, or the package's service user.
func (l *loader) mayOwnSecret(uid int) bool {
	if uid == 0 || uid == os.Getuid() {
		return true
	}
	for _, name := range []string{l.serviceUser, PackageUser} {
		if name == "" {
			continue
		}
		if u, err := user.Lookup(name); err == nil && u.Uid == strconv.Itoa(uid) {
			return true
		}
	}
	return false
}
