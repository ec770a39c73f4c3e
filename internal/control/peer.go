package control

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
)

// peer is the process on the other end of a connection.
type peer struct{ uid, pid int }

// verdict is the peer check's answer for one connection, kept in the
// connection's context so every request on it is answered accordingly.
type verdict struct {
	refused string // empty: allowed; else the text of the 403 answer
}

type verdictKey struct{}

// defaultAllow is behaviour 16: root and the daemon's own user.
func defaultAllow(uid int) bool { return uid == 0 || uid == os.Getuid() }

// ruleText states who may connect, for refusals and the log.
func ruleText(daemonUID int) string {
	if daemonUID == 0 {
		return "only root may send requests to this daemon (it runs as root)"
	}
	return fmt.Sprintf("only root and the service user %s may send requests to this daemon", userName(daemonUID))
}

// userName is uid's login name, or "uid N" when it has none.
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// connContext checks the peer of a newly accepted connection.
func (s *Server) connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, verdictKey{}, s.check(c))
}

// check decides whether c's peer may talk to the daemon, logging refusals.
// It fails closed: credentials that cannot be read mean no.
func (s *Server) check(c net.Conn) verdict {
	if !peerCredChecked {
		return verdict{}
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		s.log.Warn("control connection refused: not a Unix socket", "remote", c.RemoteAddr().String())
		return verdict{refused: s.rule + "; this connection is not a local socket"}
	}
	p, err := peerCred(uc)
	if err != nil {
		s.log.Warn("control connection refused: caller unknown", "err", err, "rule", s.rule)
		return verdict{refused: fmt.Sprintf("%s; the daemon could not tell who you are (%v)", s.rule, err)}
	}
	if s.allow(p.uid) {
		s.log.Debug("control connection accepted", "uid", p.uid, "pid", p.pid)
		return verdict{}
	}
	name := userName(p.uid)
	s.log.Warn("control connection refused", "uid", p.uid, "user", name, "pid", p.pid, "rule", s.rule)
	you := name
	if you != "uid "+strconv.Itoa(p.uid) {
		you = fmt.Sprintf("%s (uid %d)", name, p.uid)
	}
	return verdict{refused: fmt.Sprintf("%s; you are %s: run the command with sudo", s.rule, you)}
}

// refusal is the 403 text for the connection behind ctx, or "".
func refusal(ctx context.Context) string {
	v, ok := ctx.Value(verdictKey{}).(verdict)
	if !ok && peerCredChecked {
		return "the daemon could not tell who you are"
	}
	return v.refused
}
