package control

import (
	"fmt"
	"net"
)

// peerCred reads who is on the other end of c through the system's
// socket option (fdPeer, one per OS).
func peerCred(c *net.UnixConn) (peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	var p peer
	var perr error
	if err := raw.Control(func(fd uintptr) { p, perr = fdPeer(int(fd)) }); err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	return p, perr
}

// credError is a failed read of the peer-credential socket option.
type credError struct {
	option string
	err    error
}

func (e *credError) Error() string {
	return fmt.Sprintf("read peer credentials (%s): %v", e.option, e.err)
}
func (e *credError) Unwrap() error { return e.err }
