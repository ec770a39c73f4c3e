// Package queue is the daemon's durable job store on bbolt: job states,
// dedupe by file version (path + size + mtime), leases, the retry schedule,
// priorities and counts. It knows nothing of HTTP or of the file system
// watcher.
//
// A job is one version of one file, named by its path relative to the
// watch root, in NFC (the name at the server). The path is the identity;
// size and mtime make the version. Only the latest version of a path is
// kept. The job also carries the path as the file system spells it
// (Item.Disk: NFD from a Mac, or NFC and NFD mixed per segment; "" when it
// is the path itself), which is where the uploader opens the file. The
// spelling is no part of the identity: an Enqueue that brings a new one
// for the same version updates it in place.
//
// # States
//
//	Queued  waiting; handed out by Lease once its NotBefore has passed
//	Active  leased by a worker (in memory only, see below)
//	Done    uploaded; kept while the file exists so a rescan sends nothing,
//	        and for Options.KeepMissing after scans stop finding it
//	Failed  given up, with its error text and attempts, until Requeue
//	Gone    the file vanished before it could be sent
//
// Transitions:
//
//	Enqueue (new path or new version)   → Queued (an old version's lease turns stale)
//	Enqueue (Gone, any version)         → Queued, counted as added: the file came back
//	Enqueue (same version, otherwise)   not queued; disk spelling updated,
//	                                    missing mark cleared
//	Lease                Queued → Active
//	Done                 Active → Done, with the upload's Delivery
//	Retry                Active → Queued, attempts+1, not before the given time
//	Fail                 Active → Failed, attempts+1
//	Gone                 Active → Gone; Queued, due at once, if an Enqueue
//	                     changed the disk spelling during the lease
//	Release              Active → Queued, attempts unchanged, due at once
//	Changed              Active → record removed
//	Requeue              Failed → Queued, attempts reset
//	Prune (not found)    Queued, Failed, Gone → record removed
//	                     Done → Done marked missing (first scan that misses it);
//	                     record removed once marked for KeepMissing
//	Prune (found)        a missing mark is cleared
//
// Every method that takes a Job returns ErrStale unless that Job holds the
// current lease of the current version of its path.
//
// While writes fail (WriteError is not nil, see Write failures):
//
//	Lease                hands out nothing: blocks as on an empty queue,
//	                     until a write succeeds, ctx ends or Close
//	every other change   as above, in memory; returns nil at once and is
//	                     written by the first write that succeeds
//
// Lease hands out jobs by class (the first path segment) in the order of
// Options.Priority, then every other class together, FIFO by enqueue order
// within each. LeaseOptions.Class restricts a call to one class of
// Options.Priority (the uploader's thumbnail lane leases the first class
// only); it costs the same as any Lease, one heap per class. A class the
// queue does not rank is refused with an error, not waited on for ever.
// Size plays no part: a lane for files up to a size carries any clip
// under it (a 40 MB proxy), and the thumbnails wait behind that.
//
// # Files a scan does not find
//
// A full scan that does not find a file does not prove it was deleted: a
// watched folder can be an empty mount point for a while (a RAID
// unplugged, a NAS remounted). Dropping a done record would send the file
// again when it comes back, so Prune only marks it, with the time of the
// first scan that missed it (Counts.Missing), and drops it when a scan
// still misses it KeepMissing later (DefaultKeepMissing, a week: a drive
// away over a weekend or a shoot break comes back with nothing re-sent,
// and queue.db stays bounded when the files really were deleted). A scan
// that finds the file again, or an Enqueue of its version, clears the
// mark. Records of other states are dropped at once: nothing is lost by
// that, since the watcher hands over a file that comes back.
//
// # One queue per show
//
// A Queue holds one show's jobs: paths are relative to that show's root,
// and nothing in a record names the show. A daemon with several shows
// ([[watch]] tables) opens one Queue per show, each in its own file, so
// two shows' records cannot be mixed up, a show's damaged file touches no
// other, and each has its own lock. Which file is whose is the daemon's
// rule, by what identifies a show's uploads, its root and project, never
// its name (internal/daemon/shows.go, "Whose state is whose"): a show
// renamed, or a single-show config rewritten as one [[watch]] table,
// opens the same file and sends nothing again.
//
// # Schema
//
// schema.go declares every bucket and key and the migration rule;
// record.go the record encoding. In short: jobs maps a big-endian uint64
// ID to a versioned binary record; paths maps each path to its job's ID;
// meta holds the schema version. Version 2 added two optional record
// fields (format 2: the disk spelling, absent = the path; the missing
// mark, absent = not missing). A version-1 file opens as it is, nothing
// written, and its version key is raised to 2 by the first write that
// stores either field, so an older uploader opens the file until then and
// refuses it as newer (not damaged) after. Version 3 added a done
// record's delivery (format 3: how it was verified, the MD5 sent, the
// storage's ETag; absent = Verified "", done before verification existed),
// raised the same way by the first Done. Version 4 added a done record's
// after-upload action (format 4, below), raised by the first Done that
// asks for one.
//
// # After-upload actions
//
// A Done whose Delivery.Then is ActionMove or ActionDelete records the
// action, pending, with the identity of the file the upload read, in the
// same commit as the Done: once Done returns, the action is on disk to be
// carried out, and a crash before it is carried out leaves it pending for
// the next Open (PendingActions), never the upload. Acted records the
// outcome of a try:
//
//	pending → done     moved (with where to) or deleted
//	pending → skipped  not carried out, for good: the file changed or went
//	pending → failed   tried and failed, with why; listed again
//	failed  → done, skipped or failed, as pending
//
// A record whose action is done is not missing when a scan does not find
// its file (it went on purpose): Prune neither marks it nor counts it in
// Counts.Missing, and drops it KeepMissing after the action, keeping it
// for the report meanwhile. A new version of the path replaces the record
// and its action, as it replaces everything else; an Enqueue of the same
// version (the file put back by hand) queues nothing. ActionCounts counts
// done records by the state of their action.
//
// # Delivery
//
// Done takes the upload's Delivery and keeps it with the record: the MD5 of
// the bytes sent, the ETag the storage answered, how the storage confirmed
// them (Verification) and when (the record's time). Delivered lists them
// for the delivery report, Counts.Verified counts them for the status.
// Only a Done record carries one; a new version of the file is a new job
// without one until its own Done.
//
// # Crash safety
//
// Every state method returns only once its change is durable (bbolt
// commit, fsync), except while writes fail: then it returns once the change
// is in memory (Write failures). Changes are group-committed: a single writer goroutine
// applies everything pending in one transaction, so concurrent workers
// share an fsync rather than each paying one, and Enqueue takes a whole
// batch of items in one transaction. Commits start at least 5 ms apart,
// and upload outcomes may wait longer (Options.OutcomeGap); writer.go has
// the rule.
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
// # Damage
//
// bbolt panics on some damaged files ("invalid freelist page", a page that
// names another id) and faults on others (a page past the end of a cut
// file). The queue never lets that through:
//
//   - Before bbolt maps the file, boltfile.go reads what bbolt's Open trusts
//     unchecked: the meta pages, the file's size against them, and the
//     freelist page they name.
//   - Every bbolt call the queue makes (Open, the load, every write) runs
//     under guard, which recovers a panic into an error and turns a fault on
//     the mapped file into a panic first (debug.SetPanicOnFault).
//   - The load decodes every record, walks the whole paths index, and looks
//     every job key up the way a write will, which reads the keys of the
//     tree's inner pages that a walk skips (about 15% of Open's time).
//
// A file found damaged makes Open fail with an error wrapping ErrDamaged:
//
//	open queue /var/lib/odailies-uploader/queue.db: queue.db is damaged: move it
//	aside (the uploader will re-send what it had recorded) or restore a copy;
//	a copy as found is /var/lib/odailies-uploader/queue.db.damaged-20261127T090000Z:
//	the file is 8192 bytes but its pages need 704512: it was cut short
//
// The copy is made before anything writes the file (Open writes nothing to
// an existing file of the current schema before it has read it all) and
// while the file's lock is held. A copy with the same bytes already there is
// reused, so a service restarting into the same damage keeps one copy. If no
// copy can be made, the error says why instead. The pre-check reads without
// the lock, so damage it sees is confirmed under bbolt's shared lock: a file
// a running uploader holds gives ErrLocked, not ErrDamaged.
//
// Damage is: bbolt's own verdicts (ErrInvalid, ErrChecksum,
// ErrVersionMismatch), a recovered panic, what the pre-check finds, a
// record that does not decode, the two buckets disagreeing, a missing
// bucket or version. A newer schema is not damage: it needs a newer
// uploader.
//
// bbolt's consistency check (Tx.Check) is cheap: 10 ms over 100,000 done
// jobs, against 75 ms for Open. It is not run, because it runs in a
// goroutine of its own, where a fault cannot be recovered: on a branch key
// pointing outside the file, which the load's walk does not read, it killed
// the test process with "fatal error: fault". The key lookups above find
// that damage instead. What Check alone would find is left: see Hazards.
//
// A zero-byte file opens as a new queue, and Warnings reports "<path> was
// empty: every file will be uploaded again" (logged at Warn too), so the
// daemon can say why it sends everything again.
//
// # Write failures
//
// When a write fails (full disk, I/O error, read-only file system, denied,
// or a panic inside bbolt's write) the writer keeps the batch in memory in
// front of what was submitted since (nothing is lost or reordered), lets
// every waiting caller return nil, and tries again after 1 s, doubling to
// 30 s. WriteError says which file and why, worded for the status: "cannot
// write queue.db in /var/lib/odailies-uploader: no space left on device:
// free space there; uploads resume by themselves". Lease hands out nothing
// meanwhile: a job leased then could not have its outcome recorded. The
// first write that succeeds records everything kept in one transaction,
// clears WriteError and wakes every Lease.
//
// Memory while writes fail has no hard cap, for these reasons. At each
// failed attempt what is kept is merged into one mutation per key (its last
// value; all of it goes into one transaction, so the end state is the same
// as writing in order). No job is leased, so Done, Retry, Fail, Gone and
// Changed add at most one record per lease held when writes began to fail.
// What can grow is Enqueue (files that settle meanwhile) and Prune: one
// record and one index entry per path, which memory holds as an entry
// already, plus an 8-byte delete per replaced version. That is at most
// about twice the queue's own memory. A cap would have to refuse Enqueue,
// and the daemon would then stop over the same full disk.
//
// Close makes one last attempt. If it fails, Close (and any caller still
// waiting) returns "close queue: changes not written to <path> are lost (a
// job done since the last write is uploaded again): <cause>".
//
// A crash or Close while writes fail loses only what was never written.
// That is the honest outcome: a Done not on disk is queued again on the next
// Open and its file is uploaded once more, an attempt counted only in memory
// is not counted, and a file enqueued only in memory is found again by the
// watcher's next scan. Nothing that was written is lost, and TestCrash's
// rule holds: a Done that returned while writes succeeded is never undone.
//
// # Hazards
//
//   - While writes fail, memory is ahead of the file, and a crash loses the
//     difference (Write failures). The status should show WriteError.
//   - A panic inside bbolt's own Open (damage the pre-check does not see)
//     leaves bbolt's memory map in the process, and with it the file lock:
//     Open closes its file, but only the process's exit unmaps it. A second
//     Open of that file in the same process then fails with ErrLocked. The
//     daemon exits on ErrDamaged, so this costs nothing there.
//   - Not checked at Open: the freelist against the pages in use (what
//     Tx.Check finds). A page listed as free while in use is overwritten by
//     a later write. The next Open then finds the damage (a record that
//     does not decode, a key its lookup misses) and refuses the file.
//   - A branch page that names one of its own ancestors (it takes a valid
//     page id written into it, not random garbage) makes bbolt's cursor
//     descend for ever: Open would run out of memory rather than report it.
//   - boltfile.go reads bbolt's file format 2. A bbolt release with another
//     format would be reported as damage: check it when upgrading bbolt.
//   - bbolt holds an exclusive flock for as long as the queue is open. A
//     second process fails in Open after Options.Timeout with ErrLocked;
//     tools such as "retry" must ask the running daemon instead.
//   - With Options.OutcomeGap, outcomes wait up to that long for a commit
//     while other work is going (writer.go): a crash then sends again the
//     uploads that finished in that window, about lazyBatch (32) at most; a
//     shutdown sends nothing again, since Close commits what is pending.
//     A caller that waits for each outcome in turn waits that long each
//     time: the option is for callers that do not (the uploader).
//   - Lease tokens are counted per Queue value; a Job from an earlier Open
//     of the same file must not be passed to a later one.
//   - Memory grows with the number of records (a few hundred bytes each);
//     Prune after full scans keeps it, and the file, bounded; done records
//     of files deleted for good stay for KeepMissing first.
//   - Pages bbolt reads through its memory map would stay counted in the
//     RSS (31 MiB of a first sync of 100,000 files). On Linux the writer
//     drops them from the map after a commit, at most every 100 ms and
//     only for a file of 2 MiB or more (mapped.go); a page read again is
//     a minor fault from the page cache. Elsewhere they stay mapped.
//   - A missing mark is measured by the clock (Options.Now): a clock set
//     back keeps marks longer, one set forward drops them sooner. A file
//     deleted for good still counts in Done (and Counts.Missing) until it
//     is dropped.
//   - Records of a watched folder that is no longer among Prune's under
//     prefixes (removed from the config) are never pruned.
package queue
