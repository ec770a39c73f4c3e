package control

import "golang.org/x/sys/unix"

// peerCredChecked: macOS tells who connected (LOCAL_PEERCRED).
const peerCredChecked = true

// fdPeer reads the connecting process's effective uid and, for the log,
// its pid (LOCAL_PEERPID; 0 if unknown).
func fdPeer(fd int) (peer, error) {
	xu, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return peer{}, &credError{"LOCAL_PEERCRED", err}
	}
	pid, _ := unix.GetsockoptInt(fd, unix.SOL_LOCAL, unix.LOCAL_PEERPID)
	return peer{uid: int(xu.Uid), pid: pid}, nil
}
