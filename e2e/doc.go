// Package e2e runs the built odailies-uploader binary against real parts:
// a versitygw S3 server on loopback behind real SigV4 presigned URLs, the
// fake oDailies API signing them, and toxiproxy (e2e/toxi) between the
// daemon and storage for network faults. It has tests only, in a module of
// its own (e2e/go.mod, with a replace to the repository) so that the rig's
// dependencies stay out of the program's go.mod; the daemon under test is
// built in the program's module (go build -C ..), as a release is. Run a
// test with: cd e2e && go test -race -run TestName .
//
// The ServiceUser tests run the daemon as the packaged systemd unit does
// (its User=, Group=, capabilities and NoNewPrivileges=, through setpriv),
// with admin commands run as root beside it. They need Linux, root and
// setpriv, and skip otherwise; they create the unit's system user if it
// is missing and leave it in place.
//
// TestVolumeAwayIsNotADeletion, TestStateDirFull and
// TestAfterUploadMoveAcrossVolumes mount tmpfs and bind mounts (a volume
// that goes away, a state disk that fills, an archive volume that
// after_upload = "move" copies to); they need Linux and root and skip
// otherwise, and unmount in t.Cleanup.
package e2e
