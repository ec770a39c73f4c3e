// Package queue is the daemon's durable job store on bbolt: job states,
// dedupe by file version (path + size + mtime), leases, the retry schedule,
// priorities and counts. It knows nothing of HTTP or of the file system
// watcher.
//
// A job is one version of one file, named by its path relative to the
// watch root. The path is the identity; size and mtime make the version.
// Only the latest version of a path is kept.
//
// # States
//
//	Queued  waiting; handed out by Lease once its NotBefore has passed
//	Active  leased by a worker (in memory only, see below)
//	Done    uploaded; kept while the file exists so a rescan sends nothing
//	Failed  given up, with its error text and attempts, until Requeue
//	Gone    the file vanished before it could be sent
//
// Transitions:
//
//	Enqueue (new path or new version)   → Queued (an old version's lease turns stale)
//	Enqueue (same version, Gone)        → Queued
//	Enqueue (same version, otherwise)   no change
//	Lease                Queued → Active
//	Done                 Active → Done
//	Retry                Active → Queued, attempts+1, not before the given time
//	Fail                 Active → Failed, attempts+1
//	Gone                 Active → Gone
//	Release              Active → Queued, attempts unchanged, due at once
//	Changed              Active → record removed
//	Requeue              Failed → Queued, attempts reset
//	Prune                any but Active → record removed
//
// Every method that takes a Job returns ErrStale unless that Job holds the
// current lease of the current version of its path.
//
// Lease hands out jobs by class (the first path segment) in the order of
// Options.Priority, then every other class together, FIFO by enqueue order
// within each. LeaseOptions.MaxSize restricts a call to small jobs.
//
// # Schema
//
// schema.go declares every bucket and key and the migration rule;
// record.go the record encoding. In short: jobs maps a big-endian uint64
// ID to a versioned binary record; paths maps each path to its job's ID;
// meta holds the schema version.
//
// # Crash safety
//
// Every state method returns only once its change is durable (bbolt
// commit, fsync). Changes are group-committed: a single writer goroutine
// applies everything pending in one transaction, so concurrent workers
// share an fsync rather than each paying one, and Enqueue takes a whole
// batch of items in one transaction.
//
// A lease is never written. On disk an Active job is still Queued, so after
// a crash it is queued again with its attempts unchanged, exactly as if the
// lease had been released. An upload that finished but whose Done did not
// commit before the crash is sent again; a version whose Done returned is
// never handed out again.
//
// Open loads every record into memory (counts, the per-class FIFOs and a
// min-heap of retry times), checking each record and the paths index; a
// corrupt record makes Open fail with an error naming its key rather than
// silently dropping jobs.
//
// # Hazards
//
//   - The state is changed in memory before it is written. If a write
//     fails (disk full, I/O error) the memory is ahead of the file, so the
//     queue refuses every later call with that error; the process should
//     close the queue and exit, and a restart reloads the durable truth.
//   - bbolt holds an exclusive flock for as long as the queue is open. A
//     second process fails in Open after Options.Timeout with ErrLocked;
//     tools such as "retry" must ask the running daemon instead.
//   - Lease tokens are counted per Queue value; a Job from an earlier Open
//     of the same file must not be passed to a later one.
//   - Memory grows with the number of records (a few hundred bytes each);
//     Prune after full scans keeps it, and the file, bounded.
//   - A Lease with MaxSize scans a class's ready jobs when that class's
//     oldest job is too large: cheap for a thumbnail class, linear in the
//     number of due jobs for a class of large files.
package queue
