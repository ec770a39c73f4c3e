// Package dashboard is the daemon's web page: one page a DIT looks at
// instead of reading the log, on ui.listen (default 127.0.0.1:8484).
// Per show and in total it shows the health in plain words with what to
// do, counts by state, every upload in flight with a progress bar, rate
// and time left, the throughput of the last hour, recent uploads (and
// how the storage verified them), failures with their reason and Retry
// buttons (one file, or all), the watcher's mode and last scan and the
// bandwidth cap in force, and a search box that answers "why is this file
// not uploaded?".
//
// It reads the daemon in-process through [Source] (internal/daemon
// implements it over the reporter's status documents and the queues),
// never status.json. The page is plain HTML, CSS and JavaScript embedded
// in the binary (works offline, no CDN, no build step); it polls
// GET /api/state every second.
//
//	srv := dashboard.New(src, dashboard.Options{Listen: "127.0.0.1:8484", Redactor: r, Why: why})
//	srv.Handle("GET /metrics", metricsHandler) // before Run: same listener, same guard
//	g.Go(func() error { return srv.Run(ctx) })
//
// # Routes
//
//	GET  /            the page (holds the CSRF token in <meta name="csrf-token">)
//	GET  /app.js, /style.css
//	GET  /api/state   everything the page shows (view.go), one JSON answer
//	GET  /api/why?path=P   the control operation "why" for P (internal/why's Result)
//	POST /api/retry   {"show": NAME or "", "paths": [] (every failed file) or [REL…]} → {"requeued": N}
//
// # State
//
// Nothing durable. In memory: the CSRF token (random per process: a
// restarted daemon asks the page to reload), the throughput of the last
// hour (a ring of 720 samples, one every 5 s, taken in Run), each
// upload's bytes at the previous look (its own rate and time left come
// from two looks; the first look says "unknown"), and the last view
// (500 ms: several open pages cost one read of the daemon).
//
// # Security
//
// The dashboard can change what gets uploaded (Retry), so every request
// passes the guard (guard.go), in this order:
//
//  1. Host must name this dashboard: localhost, a loopback address or the
//     listen host, with the port it listens on (listening on every
//     address, any IP literal and this machine's name too). Anything
//     else is 421: a DNS rebinding page (evil.example resolving to
//     127.0.0.1) cannot read or change anything.
//  2. With Options.Password (ui.password_file), HTTP Basic with that
//     password (any user name), compared in constant time; else 401.
//     internal/config refuses a non-loopback ui.listen without one.
//  3. Any method but GET and HEAD needs an Origin equal to the page's own
//     (or, without Origin, Sec-Fetch-Site: same-origin) and the CSRF
//     token in the X-CSRF-Token header (constant-time compare); else
//  403. GET never changes anything.
//
// Every answer carries Content-Security-Policy default-src 'self' (no
// inline script or style, no framing), X-Frame-Options DENY, nosniff,
// no-referrer and no-store. Every page and JSON answer passes through
// internal/redact on its way out: no token, no signed URL's query (its
// X-Amz-Signature) ever leaves, whatever a failure's text holds. JSON is
// encoded without HTML escaping so "&" stays "&" and a URL's query is
// found and cut. Handlers mounted with Handle get the guard but not the
// redaction: they must not answer secrets.
//
// # Hazards
//
//   - Port taken: Run returns an error wrapping ErrListen; the daemon
//     logs it naming ui.listen and tries again (uploads go on). The
//     dashboard never stops the uploads.
//   - Basic auth over plain http sends the password in clear text on
//     the network: the config example says to prefer an SSH tunnel to
//     the loopback listener.
//   - A page left open across a daemon restart holds the old CSRF token:
//     its Retry is refused with "reload the dashboard".
//   - Recent uploads list the queue's done records (queue.Delivered),
//     read only when a page looks: with 100,000 done files a look costs
//     a few milliseconds under the queue's lock, at most twice a second.
package dashboard
