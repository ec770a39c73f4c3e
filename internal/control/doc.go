// Package control is the local channel between admin commands (retry,
// report, why; the dashboard's API) and a running daemon:
// HTTP/1.1 over a Unix domain socket at <state.dir>/control.sock.
//
// The package knows no queue and no operation: the daemon registers each
// one with [Server.Handle], and commands call it with [Client.Call]. A
// command that gets [ErrNotRunning] does the work itself (opens the queue).
//
//	srv := control.NewServer(filepath.Join(stateDir, "control.sock"), control.ServerOptions{Version: v, Logger: log})
//	srv.Handle("retry", func(ctx context.Context, req json.RawMessage) (any, error) { … })
//	g.Go(func() error { return srv.Run(ctx) })
//
//	err := control.Dial(sock, control.ClientOptions{Log: logFile}).Call(ctx, "retry", req, &ans)
//	if errors.Is(err, control.ErrNotRunning) { /* open the queue */ }
//
// # Wire protocol
//
// Every route is under /v1/; every body is JSON; every answer that is not
// a 2xx is {"error": "text a person reads"}.
//
//	GET  /v1/hello  → 200 {"api":1,"version":"1.4.0","pid":123,"uid":998}
//	POST /v1/<op>   request body → 200 answer body (the op's own JSON)
//
// Statuses: 400 the request is wrong (the handler's error wraps
// [ErrBadRequest], or the body is not JSON); 403 the caller may not talk to
// the daemon (the text names the rule); 404 no such route or operation;
// 405 wrong method (Allow says which); 413 a body over 16 MiB; 500 the
// operation failed; 503 the daemon is stopping. A missing body is "{}".
//
// Versioning: fields may be added to requests and answers freely, and
// operations added; readers ignore what they do not know and treat a
// missing field as its zero value. An incompatible change (a field that
// changes meaning, an operation that changes contract) bumps [APIVersion]
// and moves the routes to /v2/. GET /v1/hello is answered by every
// version forever, with its own "api": a client that gets a 404 asks it,
// and reports a daemon of another version as [ErrVersionMismatch] ("the
// running daemon speaks control API v2; this command speaks v1: …"), and
// an older daemon that lacks an operation by its 404 text.
//
// # Who may connect
//
// Only root and the user the daemon runs as (behaviour 16): the channel
// changes what gets uploaded, and later reports what was. Root must be let
// in because the packaged daemon runs as the service user while admins
// run commands with sudo (behaviour 15); other users are refused.
//
// Two gates. The socket file is made 0600 by the daemon's user, so other
// users cannot even connect ("permission denied": the client says to use
// sudo). Root ignores file modes, and the mode is the umask's for an
// instant after listen, so the real gate is the peer's credentials, read
// from the kernel on every accepted connection; a refused peer gets 403
// naming the rule on every request, and the daemon logs one line per
// connection. Credentials that cannot be read mean no.
//
// # Per-OS notes
//
//   - Linux: SO_PEERCRED (uid and pid at connect time).
//   - macOS: LOCAL_PEERCRED (effective uid) and LOCAL_PEERPID.
//   - Windows 10 and later have AF_UNIX but no peer credentials: access
//     rests on the state folder's ACL (Administrators and SYSTEM), which
//     the installer sets; the daemon reports uid -1.
//   - Other systems: no peer check; the socket's 0600 mode is the gate.
//
// # Hazards
//
//   - Path length: sun_path holds 107 bytes on Linux and Windows, 103 on
//     macOS. A longer <state.dir>/control.sock fails Run with an error
//     asking for a shorter state.dir; the client reports ErrNotRunning with
//     the same text (no daemon can listen there).
//   - Stale sockets: a killed daemon leaves its socket file. Run removes it
//     only if nobody answers on it (connection refused); a socket somebody
//     answers on fails Run with [ErrInUse], and a file that is not a socket
//     is left alone. Two daemons starting at the same instant could both
//     see a stale file: open the queue (which holds a lock) before Run.
//   - A stuck daemon: the kernel accepts connections even when nobody
//     serves them, so every call is bounded (15 s by default) and then
//     fails saying the daemon did not answer, naming its log.
//   - The client creates nothing in state.dir: commands run as root leave
//     no file the service user cannot use.
//   - A daemon from before this package (request files in
//     <state.dir>/requests) has no socket: clients see ErrNotRunning while
//     it still holds the queue, until the service is restarted.
//   - Run stops within about 2 s of its ctx ending: handlers see the ctx
//     cancelled and should return; those that do not are cut.
package control
