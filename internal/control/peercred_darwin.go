package control

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// peerCredChecked: macOS tells who connected (LOCAL_PEERCRED).
const peerCredChecked = true

// peerCred reads the connecting process's effective uid and, for the log,
// its pid (LOCAL_PEERPID; 0 if unknown).
func peerCred(c *net.UnixConn) (peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	var xu *unix.Xucred
	var pid int
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		xu, cerr = unix.GetsockoptXucred(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
		if cerr == nil {
			pid, _ = unix.GetsockoptInt(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERPID)
		}
	}); err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	if cerr != nil {
		return peer{}, fmt.Errorf("read peer credentials (LOCAL_PEERCRED): %w", cerr)
	}
	return peer{uid: int(xu.Uid), pid: pid}, nil
}
