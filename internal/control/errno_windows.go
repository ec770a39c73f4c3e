package control

import (
	"errors"
	"io/fs"
	"syscall"

	"golang.org/x/sys/windows"
)

// maxSocketPath is the longest socket path Windows accepts: sun_path less
// its terminating NUL.
const maxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// isRefused reports a connect that found a socket file nobody listens on.
// Winsock errors are not the invented syscall.ECONNREFUSED.
func isRefused(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, syscall.ECONNREFUSED)
}

// isDenied reports a connect refused by the state folder's ACL.
func isDenied(err error) bool {
	return errors.Is(err, windows.WSAEACCES) || errors.Is(err, fs.ErrPermission)
}
