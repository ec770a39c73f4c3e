//go:build !linux && !darwin

package control

import "errors"

// peerCredChecked: AF_UNIX on Windows carries no peer credentials. There
// the state folder's ACL (Administrators and SYSTEM) is the gate; on other
// systems, the socket file's 0600 mode.
const peerCredChecked = false

// fdPeer is not available here; the server does not call it.
func fdPeer(int) (peer, error) {
	return peer{}, errors.New("peer credentials are not available on this system")
}
