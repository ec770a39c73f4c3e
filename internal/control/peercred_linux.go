package control

import "golang.org/x/sys/unix"

// peerCredChecked: Linux tells who connected (SO_PEERCRED).
const peerCredChecked = true

// fdPeer reads the connecting process's uid and pid from the socket, as
// the kernel recorded them at connect time.
func fdPeer(fd int) (peer, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return peer{}, &credError{"SO_PEERCRED", err}
	}
	return peer{uid: int(cred.Uid), pid: int(cred.Pid)}, nil
}
