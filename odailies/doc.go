// Package odailies is a client for the oDailies v1 API: upload signing and
// clip metadata, with the wire types and typed errors. It imports nothing of
// this project's.
//
// # Calls
//
// New checks the Options and makes no request. SignUpload asks for a
// signed URL for one file (GET {base}/upload/{project}/{token}/{path});
// the caller PUTs the bytes there itself. Clips and PatchClips are the
// v1 clip metadata calls. A Client is safe for concurrent use.
//
// # Paths
//
// EscapePath is the one place the {path} rules live: "\" becomes "/", names
// are put in Unicode NFC, each segment is escaped so that only RFC 3986
// unreserved characters stay literal, and empty, "." and ".." segments are
// refused with ErrBadPath before anything is sent.
//
// # Errors
//
// A non-2xx answer is an error that StatusCode, IsAuth, IsNotFound,
// IsSlowDown, IsTransient and RetryAfter classify; an answer without a
// usable field wraps ErrProtocol and names the field. Network errors keep
// their types (errors.Is works with context errors and errors.As with
// *url.Error) but not their text: see Secrets.
//
// # Secrets
//
// The token travels as a path segment, so every URL the client builds holds
// it, and net/http quotes the URL in its errors. Every error a Client
// returns has the token replaced by redact.Token's form and every URL query
// cut to "?…", including any server error body it quotes. Client.Redact does
// the same for other text (both use internal/redact, the project's one
// redactor). SignedURL.URL itself is a secret: log it only through
// redact.URL.
package odailies
