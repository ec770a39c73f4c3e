//go:build !windows

package control

import (
	"errors"
	"io/fs"
	"syscall"
)

// maxSocketPath is the longest socket path the kernel accepts: sun_path
// less its terminating NUL (107 bytes on Linux, 103 on macOS and the BSDs).
const maxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// isRefused reports a connect that found a socket file nobody listens on.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// isDenied reports a connect refused by the socket file's mode or a
// folder's.
func isDenied(err error) bool { return errors.Is(err, fs.ErrPermission) }
