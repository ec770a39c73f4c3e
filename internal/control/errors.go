package control

import (
	"errors"
	"fmt"
)

// APIVersion is the control API this package speaks: the /v1/ in every
// route and the "api" of the hello answer. Bump it only for an incompatible
// change (see the package documentation).
const APIVersion = 1

var (
	// ErrBadRequest marks an error a handler returns when the request itself
	// is wrong (a path outside the root, a bad option): the server answers
	// 400 with the error's text, and the client's error wraps ErrBadRequest
	// again.
	ErrBadRequest = errors.New("bad request")

	// ErrNotRunning is the client's error when no daemon listens on the
	// socket (no file, or a file nobody answers on): callers then open the
	// queue themselves.
	ErrNotRunning = errors.New("no daemon is running")

	// ErrVersionMismatch is the client's error when the daemon speaks
	// another control API version.
	ErrVersionMismatch = errors.New("control API version mismatch")

	// ErrInUse is Run's error when another daemon already answers on the
	// socket.
	ErrInUse = errors.New("another daemon is running")
)

// remoteError is an error answer of the daemon, with its HTTP status.
type remoteError struct {
	op     string
	status int
	msg    string
}

func (e *remoteError) Error() string {
	return fmt.Sprintf("%s: the running daemon answered: %s", e.op, e.msg)
}

// Is makes a 400 answer errors.Is-able as ErrBadRequest.
func (e *remoteError) Is(target error) bool {
	return target == ErrBadRequest && e.status == 400
}

// versionError is a daemon that speaks another API version.
type versionError struct{ daemon int }

func (e *versionError) Error() string {
	return fmt.Sprintf("the running daemon speaks control API v%d; this command speaks v%d: "+
		"run the same version, or restart the service after an upgrade", e.daemon, APIVersion)
}

// Is makes the error errors.Is-able as ErrVersionMismatch.
func (e *versionError) Is(target error) bool { return target == ErrVersionMismatch }

// socketPathError is a socket path longer than the OS allows.
type socketPathError struct{ path string }

func (e *socketPathError) Error() string {
	return fmt.Sprintf("the control socket path %s is %d bytes, over the %d this system allows: "+
		"set state.dir to a shorter folder", e.path, len(e.path), maxSocketPath)
}

// checkSocketPath refuses a path the kernel would reject with a bare
// "invalid argument".
func checkSocketPath(path string) error {
	if len(path) > maxSocketPath {
		return &socketPathError{path}
	}
	return nil
}
