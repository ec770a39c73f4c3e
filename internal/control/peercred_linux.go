package control

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// peerCredChecked: Linux tells who connected (SO_PEERCRED).
const peerCredChecked = true

// peerCred reads the connecting process's uid and pid, as the kernel
// recorded them at connect time.
func peerCred(c *net.UnixConn) (peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	if cerr != nil {
		return peer{}, fmt.Errorf("read peer credentials (SO_PEERCRED): %w", cerr)
	}
	return peer{uid: int(cred.Uid), pid: int(cred.Pid)}, nil
}
