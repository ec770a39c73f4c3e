// Package uploader is the bounded worker pool that takes jobs from the
// queue, asks the oDailies API for a signed URL and PUTs each file's bytes
// there, sorting every failure into a class that decides what happens next.
//
// It depends on two small interfaces declared here, Signer (the API
// client) and Jobs (the queue), and knows nothing of the watcher.
//
// Each worker leases one job at a time (no job waits in a buffer holding a
// lease), of any class, in the queue's priority order.
//
// Before a PUT the file is opened and compared with the job (size and
// modification time); after it, the path is looked at again. A file that
// vanished is reported Gone, one that changed is reported Changed and not
// counted as uploaded: the watcher queues its new version.
//
// # Thumbnails first
//
// A thumbnail never waits for a clip to finish, whatever the clips' sizes
// (behaviour 9: dailies are browsable once their stills are up). The rule
// is by class, Options.FirstClass (the first folder of upload.priority),
// not by size: a lane for files under a size fills with clips that happen
// to be under it (40 MB proxies on a slow link), and thumbnails wait.
//
//   - Every one of the Workers leases any class, the first class first, so
//     a free worker always takes a thumbnail before a clip.
//   - One more slot, the lane, leases only the first class, and only while
//     every worker holds a job of another class. Then a thumbnail starts at
//     once beside the clips; when a worker lets go of its clip, the lane
//     stops waiting and that worker takes the next thumbnail instead.
//
// So with no thumbnail queued, clips get every worker, and the lane costs
// them nothing but one goroutine that waits; at most Workers+1 PUTs
// run, and more than Workers only while all the workers carry clips and a
// thumbnail is being sent. With Workers = 1 the rule holds too (one clip,
// one thumbnail beside it).
//
// The other choice, keeping one of the Workers for thumbnails, leaves it
// idle whenever none is queued, so clips get Workers-1. Measured with no
// thumbnail queued, 4 workers, versitygw, the uploader's time as a ratio
// to the bare loop of the same run (three runs each):
//
//	                          BenchmarkSmallClipsLatency   BenchmarkSmallClips
//	                          (300 × 64 KiB, 10 ms         (1,500 × 64 KiB,
//	                          each way, toxiproxy)         loopback, median of 5)
//	size rule (before)        0.99–1.02                    1.07
//	extra lane (this rule)    1.00–1.03                    1.10
//	a worker kept idle        1.32–1.36                    1.15
//
// Where each PUT waits on the link, a worker kept idle costs clips a
// quarter of the pool (4/3 of the time); the lane costs nothing
// measurable. On loopback the CPU of a shared two-core machine is the
// limit and the spread between runs (0.9–1.5) is wider than any
// difference. BenchmarkLargeFiles (3 × 256 MiB) cannot tell them apart:
// three files keep at most three workers busy.
//
// # Sign ahead
//
// On a link where every answer waits 30-100 ms (a set's 4G uplink, a lab
// far from the storage region) signing and then PUTting costs a small
// file two round trips. So while the PUTs run, a signer goroutine
// (ahead.go) signs the URLs of the jobs the next leases will hand out
// (queue Upcoming, which leases nothing: no job waits holding a lease),
// Workers+1 of them with at most Workers+1 sign requests at once, and
// looks again after every lease and every answer. A worker whose job was
// signed ahead PUTs at once (one whose URL is still being signed waits
// for that answer), so a thumbnail costs about one round trip. Measured
// with 50 ms on every API and storage answer, 300 × 64 KiB, 4 workers
// (BenchmarkSmallFilesLatency): 4.3 s against 7.9 s for signing then
// PUTting (0.54×).
//
//   - A URL waits in memory keyed by one version of one file (path, disk
//     spelling, size, mtime, as the digests are) and is moved to the job
//     at its lease, so it is never used for another file or another
//     version: a job that changed (a new version queued) or went (Gone)
//     leaves a URL no job matches. Such URLs are dropped once too old,
//     or when more than 2×(Workers+1) wait (a URL of a job just leased
//     and not yet noted looks the same, and must not be dropped before
//     its worker takes it); the stop drops them all. A look at the queue
//     that a lease overtook is not acted on, so no file is signed twice.
//   - Bound by URL life, on the server's clock: the job at position k of
//     Upcoming starts in about k+1 gaps between leases (smoothed), and
//     is signed ahead only if a URL living as long as the last one signed
//     (SignedURL.Remaining when it arrived) would still have more than
//     MinURLLife left then. A worker uses a URL it did not sign itself
//     only while it has more than MinURLLife left, else signs one. So
//     URLs that live no longer than MinURLLife (3-second URLs, with the
//     default 1m) are never signed ahead and cost no expired PUT: each is
//     signed by its worker and used at once, as before; with long clips
//     only the jobs that will start in time are signed.
//   - The gate holds it: nothing is signed ahead while signing is paused,
//     and each answer is reported to the gate as a worker's is, so a
//     refused token found ahead pauses the pool (its job was not leased
//     and loses no attempt). A failed sign ahead costs its job nothing:
//     its worker signs again, and that answer decides.
//   - More parallel PUTs than Workers for small files were considered and
//     left out: with the URL ready, a worker's connection goes from one
//     PUT straight to the next, and more PUTs at once are what Workers
//     (upload.workers) is for; the sign requests, the checkers of other
//     tools, already run beside the transfers.
//
// Other round trips a file may cost: NewTransport keeps an idle
// connection for every PUT that can run at once (Workers+2) and caches
// TLS sessions, so bursts of thumbnails do not dial, look up DNS and
// shake hands again. Expect: 100-continue is sent only on bodies over 1
// MiB: below, the wait (a round trip) would cost more than sending a body
// a refused URL wastes; above, a refused URL costs a round trip instead
// of the file. At 20 Mbit/s and 50 ms the wait adds at most an eighth to
// a 1 MiB PUT and 1% to a 12 MiB one.
//
// # Several shows
//
// Several shows in one process are one Uploader each (its own Signer
// with its show's token, base URL and project, its own gate, URL cache
// and status), sharing one Shared: the worker budget and the bandwidth
// limit. Each show's pool has Shared's budget of workers, so a show alone
// uses every slot; a worker holds a slot only while it carries a job:
//
//   - A worker leases its show's next job (thumbnails first, as above),
//     then waits for a shared slot for it. One worker per show does so at
//     a time, so a show holds at most one leased job that is not yet
//     moving, and never a slot without a job.
//   - A free slot goes at once to whoever asks. When none is free, the
//     next to come free goes to the waiting show holding the fewest, the
//     longest waiting among equals: shows with work converge on an even
//     share as uploads end, no upload is cut for it, and 2 TB of one
//     show's clips hold back another show only until one upload ends.
//   - Each show's lane (Thumbnails first) leases while every shared slot
//     carries a job outside its show's first class, counted over all the
//     shows: show B's thumbnails go at once beside show A's clips. The
//     same holds for the job a show's worker waits with: one of the first
//     class goes at once, beyond the budget, while every slot carries
//     another class (else it would wait for a clip to end while the lane
//     sends the thumbnails queued after it). So at most Workers + 2 PUTs
//     per show run at a moment, more than the budget only with
//     thumbnails beside a pool full of clips.
//   - The job's outcome, written to its queue, gives its slot back.
//
// Bytes are shared as the limit shares them: every body, of every show,
// waits on the one limiter, chunk by chunk, so each upload gets an even
// part of the cap. A refused token (401/403/404) closes one show's gate:
// its workers stop leasing, its slots come free for the others.
//
// # Files that are not files
//
// Only regular files are uploaded. The path is lstat'ed first, then
// opened without blocking (on unix O_NONBLOCK and O_NOFOLLOW, then fstat
// confirms a regular file before the descriptor is made blocking again),
// because a plain open of a named pipe waits for a writer forever. A path
// that now holds a named pipe, socket, device, directory or symbolic link
// fails its job (Fail, not Gone) with a reason naming it: "not a regular
// file: a named pipe". Fail, not Gone: something was put where a queued
// clip was, and a person should see that (the queue keeps a failure's
// reason, which status and why show, and sync counts it as a failure);
// Gone keeps no reason and is for paths where nothing is left. Waiting
// cannot fix it, so there is no retry; a regular file put back there is
// a new version, which the watcher queues as usual.
//
// # Retry classes
//
// For the PUT: network errors, 5xx, 408 and a stalled body are transient:
// the job is retried at now + backoff, which doubles from RetryMin with
// jitter up to RetryMax; after MaxAttempts failed attempts (default 20) the
// job fails and waits for the user's retry. The count is the queue's
// Job.Attempts, which every Retry raises (slow-down retries included). 429, and 503 with Retry-After,
// retry after the wait the server asked for, and never fail the job on
// their own. A 403 is answered by signing again, at most three times in
// one attempt; then the job fails with the storage's answer. Any other
// 4xx fails the job with its status and body excerpt, as does a file over
// MaxPutSize (5 GiB: S3-style storage refuses bigger single PUTs).
//
// A 2xx is an upload only when every byte of the body was written and
// the answer came after: net/http hands back a 2xx that arrived early
// (a broken proxy answering at once, without 100 Continue, or after part
// of the body) while it still sends or skips the rest. Each PUT is traced
// (net/http/httptrace, per hop): a 2xx to a request that waited for 100
// Continue and got its answer before any body byte went, a write that
// ended in an error, or a body not sent whole is transient, "the storage
// answered before receiving the whole file (N of M bytes sent)", retried
// like a 5xx and, after MaxAttempts, failed naming it.
//
// For signing, problems of the whole pool close a gate that holds signing
// for every worker: 401 and 403 (the token), 404 (the project or base URL),
// 429/503 with Retry-After, and an API that cannot be reached. The job at
// hand is released to the queue without counting an attempt, no worker
// leases while the gate is closed, and when its wait is over (AuthRecheck
// for 401/403/404, Retry-After, or backoff) one probe signs that job's path
// again; only a good answer opens the gate. So a wrong token costs one
// sign request per AuthRecheck, never a loop. The change of health is
// logged once, saying what to fix (naming the API by Options.APIBaseURL,
// or by the base read from the failed request), and shown in Snapshot as
// a Health; Health.Blocking reports the states waiting will not fix
// (auth-error, not-found), which a one-pass sync may stop on. A 5xx or 408 on
// signing counts as the job's failed attempt and also holds the pool for a
// backoff, so a failing API is not asked once per queued file.
//
// # Verified delivery
//
// Every PUT carries Content-MD5, the base64 MD5 of the file's bytes, so
// storage that checks it (S3, Google Cloud Storage, Azure, versitygw)
// refuses a body damaged on the way: a bad network card, a middlebox or a
// flaky disk read can flip a byte that TCP's checksum misses. Options.Verify
// = VerifyNone (upload.verify = "none") sends none, for storage that
// refuses the header. A redirected PUT (307/308) carries it too.
//
//   - 400 with the XML code BadDigest or InvalidDigest: the bytes that
//     arrived are not the file's, or the header was refused. The file's
//     size and mtime are looked at again: moved, the job is Changed (the
//     file changed during the send, its new version is queued). Otherwise
//     the file is read again for a fresh digest and sent again at once,
//     within the same attempt (no backoff: damage on the way is random).
//     The third damaged send of an attempt fails the job: "the storage
//     received different bytes than the file holds 3 times: a bad network
//     card, proxy or disk read may be damaging uploads (last: …)"; for
//     InvalidDigest every time, "the storage refused the Content-MD5
//     header 3 times", with upload.verify = "none" as the fix offered.
//     Never a permanent 400.
//   - A 2xx whose ETag is a plain MD5 (32 hex digits, single-PUT S3) is
//     compared with the digest sent: another MD5 is a damaged upload (a
//     storage that ignored Content-MD5 and kept what came), sent again
//     like a BadDigest. Equal: queue.VerifiedETag.
//   - A 2xx whose ETag is no plain MD5 (multipart-style "…-3", Azure's
//     "0x8D…", none) or belongs to an encrypted object (SSE-KMS, SSE-C:
//     its ETag is no MD5 of the bytes): queue.VerifiedContentMD5, the
//     storage's own check of the header is the proof.
//   - VerifyNone: queue.VerifiedNone, with the ETag as answered.
//
// Done records the Delivery (queue: MD5, ETag, verified how, when), and
// the log line of a finished upload says how it was verified.
//
// The digest costs one read of the file before its PUT. A hasher
// goroutine reads ahead of the workers (digest.go): after every lease it
// hashes the next Workers+1 jobs the queue will hand out (Upcoming,
// which leases nothing), one at a time, into a cache of at most
// 4×(Workers+1) digests keyed by path, disk spelling, size and mtime. A
// worker whose job is cached sends at once; one whose file the hasher is
// reading waits for that read; otherwise it hashes the file itself from
// the descriptor it opened. So with many files the reads hide behind the
// network, and a single file costs one extra read. A digest is published
// only if fstat saw the job's size and mtime before and after the read;
// the worker's own open checks them again before the PUT. A file changed
// in place with both kept is caught by the storage (BadDigest: read again,
// sent again). Hashing reads 256 KiB at a time (memory does not grow
// with the file); the read also warms the page cache the PUT's body
// reader then reads from.
//
// A file sent from memory (at most 256 KiB, no bandwidth cap: see Memory)
// is not hashed ahead: its worker reads it once into a buffer, checks it
// with an fstat after the read (its open checked before), and hashes the
// buffer it then sends, so its digest is of the very bytes sent.
//
// # Redirects and plain http
//
// A 301, 302 or 303 answer to a PUT is not followed (net/http would send
// a GET without the body, and count its 200): the job fails, "the storage
// redirected the upload (302 to https://…?…): a signed URL must not
// redirect; check the storage endpoint". Permanent, not transient:
// waiting does not change where an endpoint sends uploads, and every
// retry would cost a PUT for the same answer; 'retry' sends it again once
// the endpoint is fixed. 307 and 308 keep the method and body and are
// followed, at most five times: the body is opened again from the file
// (a new body reader from its first byte) with the same Content-Length, and progress starts again from 0. A redirect
// to plain http on a host that is not loopback is never followed (a
// permanent failure naming the host), nor is any from https to plain
// http.
//
// A signed URL that is plain http to a host that is not loopback would
// send the file and its signature unencrypted: it fails its job before
// the PUT, naming the host, unless Options.AllowInsecureStorage (config
// upload.allow_insecure_storage) is set. Plain http to loopback (tests,
// the demo) is always allowed, as for the API's base URL.
//
// # Names
//
// Job paths are slash-separated. On Linux and macOS a backslash is an
// ordinary character of a file name, but the API's paths cannot carry
// it (the API client turns "\" into "/", Windows's separator), so such
// a job fails before signing:
// "a backslash in a file name cannot be sent as a path segment on every
// platform: rename the file". On Windows the backslash is the separator
// and never reaches a job path.
//
// A job's Path is NFC, the name the API knows; the file's name on disk
// may be NFD (written by a Mac) or mix the two per segment (an NFC folder
// holding an NFD file). The job carries that spelling (Job.Disk, from the
// watcher, "" when it is the Path): the file is looked at, opened and
// looked at again there, and signed and stored under the Path. Nothing is
// guessed: a job without a Disk whose file exists only in another
// spelling is Gone, and comes back when the watcher hands it over with
// its spelling. A Disk that is not the Path's name in another Unicode
// form (its NFC is not the Path) fails the job without a sign request.
//
// # Expiry
//
// Each job's last signed URL is kept in memory and reused for its next
// attempt only while it has more than MinURLLife left, judged on the
// server's clock (SignedURL.Remaining corrects for the skew seen in the
// sign answer's Date header). A freshly signed URL is always used once,
// whatever its lifetime, since storage checks expiry when a PUT starts:
// 3-second URLs work. A URL that storage refuses anyway costs one PUT, then
// a new one is signed; large bodies send Expect: 100-continue, so that PUT
// costs a round trip, not the file.
//
// # Shutdown
//
// When Run's context ends, workers stop leasing and no new PUT starts.
// PUTs in flight get StopGrace to finish; then they are cut and their jobs
// released, so the next start sends them again with no attempt counted.
// The queue calls use no context, so they still happen after the cancel.
// Run returns nil after such a stop, once every outcome is recorded.
//
// Every wait of the pool ends with the context: a Lease, the gate's wait
// and its probe (a probe cut by the stop is not followed by another: a
// cancelled request returns at once, and probing again would spin), and
// sign requests, which are cut at once since no PUT may follow them. PUTs,
// the bandwidth limiter's waits inside them and the stall watchdog end
// with the work context, StopGrace later. So Run returns within StopGrace
// and a moment, whatever the API or storage is doing.
//
// Outcomes are handed to the queue off the worker's path: the queue makes
// them durable in batches, and a worker waiting for that fsync would leave
// its connection idle. At most 64 outcomes wait at a time; a queue error
// still ends Run.
//
// # Status
//
// Snapshot is the pool's state for the status file and for sync's end
// rules: Health and Detail; LastError and LastErrorAt, the most recent
// failed sign or PUT attempt in plain words ("sign _graded/a.mov: the
// oDailies API at https://odailies.com/api/v1 cannot be reached: …");
// LastUploadAt, when a file last finished. Its text is redacted like
// every log line (below).
//
// # Memory
//
// Bodies are streamed from disk with an exact Content-Length (never
// chunked), so memory does not grow with file size: an io.SectionReader
// of the job's file, read in chunks of at most 64 KiB. With a bandwidth
// limit, one rate.Limiter shared by all workers is waited on before each
// chunk; the same reads feed per-file progress (atomics) and the stall
// watchdog, which cancels a PUT whose body has not moved for
// StallTimeout, counting from the start of the request until its answer
// arrives. There is no zero-copy (sendfile) path: over https, which real
// signed URLs are, every byte is read into user space to be encrypted
// anyway, and over plain http it saved about 2 ms per 100 MB.
//
// Files of at most 256 KiB (thumbnails), when no limit paces the pool,
// are the exception: each is read whole into a pooled buffer just before
// its PUT and sent from it, which net/http writes in one go with the
// headers (membody.go has why and what it saves). At most one such buffer
// per PUT in flight exists; they are pooled by size (4 KiB to 256 KiB).
//
// # Bandwidth schedule
//
// Options.BandwidthSchedule (a Schedule: days, local-time ranges, rates
// or off; later entries win, uncovered times are unlimited) sets the
// pool's one limit by the wall clock of Options.Now. A goroutine of Run
// looks at it when the next change is due, and at least every second
// (timers run on the monotonic clock, which a suspended machine or a
// clock set by hand leaves behind the wall clock). Each change puts a new
// limiter in place and wakes every reader waiting on the old one, so
// running uploads follow within a second: a rate.Limiter keeps the debt
// of reservations made at the old rate, and a reader asleep on one at a
// low rate would sleep into an unlimited period. While a schedule that
// ever caps is set, every chunk waits on the limiter, off periods
// included (an unlimited wait costs no sleep), so a capped period slows
// uploads already running. Snapshot has the cap in force and the next
// change.
//
// # Secrets
//
// Signed URLs never reach a log line or a job's reason unredacted: errors
// from net/http quote the request URL, and are scrubbed with
// redact.URL.
//
// # Hazards
//
//   - Verified delivery trusts a plain-MD5-looking ETag to be an MD5:
//     storage whose ETags are 32 hex digits of something else (other
//     than S3's SSE-KMS and SSE-C, which the answer's headers show) would
//     see every upload as damaged and fail it after three sends; the fix
//     offered is upload.verify = "none" only for InvalidDigest, so such a
//     storage needs it set by hand.
//   - The hasher reads files the workers have not leased yet: a read
//     ahead of a file that is then replaced costs a read, nothing else
//     (its digest is of another version and never used).
//   - Sign ahead asks the API for URLs of jobs not leased yet: a job that
//     changes or goes before its turn costs a sign request, and with a
//     pool of Workers+1 URLs kept, a queue reordered often (new
//     thumbnails arriving ahead of clips) costs one per reorder.
//   - Options.FirstClass must be a class the queue ranks
//     (queue.Options.Priority): otherwise the lane's first Lease fails and
//     Run returns that error. The daemon passes both from upload.priority.
//   - Workers+1 PUTs can run at once (Thumbnails first): a storage or
//     proxy that allows exactly Workers connections refuses the lane's.
//   - Queue calls (outcomes, the release of a lease) take no context:
//     a queue whose disk hangs holds Run until the write returns.
//   - A Signer or Options.HTTPClient that ignores its context holds the
//     worker that called it; the odailies client and NewTransport do not.
//   - Options.HTTPClient's transport must report httptrace's events
//     (net/http's and x/net/http2's do): without them only the byte
//     count tells an early answer from an upload.
//   - The early-answer check is as fine as the count: bytes handed to
//     the kernel. Storage that answers after the last byte was written
//     into the socket but before it read it, and keeps reading, is not
//     caught.
//   - lstat, open and read of a file on a network share that stopped
//     answering cannot be interrupted by the stop; O_NONBLOCK only helps
//     against pipes and devices.
package uploader
