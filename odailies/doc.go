// Package odailies is a client for the oDailies v1 API: upload signing and
// clip metadata, with the wire types and typed errors. The token travels as
// a path segment and is redacted from every error this package returns.
package odailies
