// Package odailiestest is an in-process fake of the oDailies v1 API with its
// own signed-URL storage and fault injection, for tests and for the demo.
//
// # What it serves
//
// Start listens on a loopback address and serves, on one port:
//
//   - GET  /api/v1/upload/{project}/{token}/{path…}: a URL valid for
//     URLLifetime, bare or wrapped in {"data":…} (SetWrapped);
//   - GET and PATCH /api/v1/clips/{project}/{token}: the v1 clip store;
//   - PUT  /storage/{path…}?expires=…&sig=…: the built-in storage, unless
//     Options.Presign issues URLs elsewhere.
//
// Anything else, the v1 jobs routes included, is 404. An unknown project
// is 404, a token the project does not know (or one Revoke took back)
// 401, a token without the call's flag 403, and a path with an empty, "."
// or ".." segment 400. Options.Projects adds projects with tokens of their
// own, for several shows; their files go under ProjectDir in Dir.
//
// # Storage
//
// Storage URLs carry an HMAC-SHA256, under a key made at Start, over the
// method, the decoded path and the expiry. Like S3, the storage checks the
// signature, then the expiry when the request starts (403 either way, with
// an XML error body), then refuses a chunked body or one without
// Content-Length (411) and one over MaxPutSize (400 EntityTooLarge). The
// body is streamed to a temporary file beside its place under Dir and
// renamed there only when all Content-Length bytes arrived, so a cut upload
// stores nothing.
//
// # Faults and inspection
//
// FailSign, FailPut, SetLatency, SetURLLifetime, SetWrapped,
// SetClockSkew and Revoke change behaviour while the server runs;
// Requests, SignedPaths, Received, ReceivedIn, PutHeader and Clips show
// what it saw. All are safe
// for concurrent use.
//
// The package does not import "testing": the demo command ships it.
package odailiestest
