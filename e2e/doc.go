// Package e2e runs the built odailies-uploader binary against real parts:
// a versitygw S3 server on loopback behind real SigV4 presigned URLs, the
// fake oDailies API signing them, and toxiproxy between the daemon and
// storage for network faults. It has tests only.
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
