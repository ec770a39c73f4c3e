// Package e2e runs the built odailies-uploader binary against real parts:
// a versitygw S3 server on loopback behind real SigV4 presigned URLs, the
// fake oDailies API signing them, and toxiproxy between the daemon and
// storage for network faults. It has tests only.
package e2e
