// Package watcher turns a root folder and its watched sub-folders into a
// stream of settled files: recursive fsnotify events, initial and periodic
// scans, settle detection, ignore rules and a polling mode for network
// shares. It knows nothing of HTTP or of the queue.
//
// [New] validates [Options]; [Watcher.Run] scans every watched dir, then
// hands finished files to [Handler.Settled] in batches and reports each
// full scan to [Handler.Scanned], all from Run's goroutine, in order.
// [Watcher.Status] may be called from anywhere.
//
// # Events are hints, scans are the truth
//
// In event mode every folder below each watched dir gets its own fsnotify
// watch (inotify, kqueue, ReadDirectoryChangesW). A new folder is watched
// first and read second, so a file created in between is seen by one or the
// other ("mkdir -p a/b/c" followed at once by writes is safe). An event only
// names a path; the watcher lstats it and acts on what it finds. A full scan
// runs at start and every Options.Rescan (10m); an event overflow runs one at
// once. Any other fsnotify error closes the event source and restarts it
// after a backoff (1s doubling to 1m); until then the tree is scanned every
// PollInterval. Files that a full scan no longer finds are forgotten, and
// [Scan.Present] lets the caller prune its own records, but only under
// [Scan.Dirs], which leaves out a watched dir that could not be read, one
// that holds no file and one whose [DirInfo.Suspect] is set (see "Volumes
// that go away"). Scans look at Run's context before each folder, so a stop
// ends a scan of a huge tree or a slow share within one folder read; a scan
// cut short that way is not reported to Scanned and prunes nothing.
//
// # Missing folders
//
// A root or watched dir that is missing at start or disappears later (an
// external drive unplugged, the folder renamed away) is not fatal: it is
// reported in Status.Error and a log line, left out of Scan.Dirs, looked for
// again every few seconds, and watched and scanned as soon as it is back.
//
// The watcher forgets a file as soon as it knows the file is no longer
// there: a remove or rename event for it or for a folder above it, a full
// scan not finding it, its watched dir or the root vanishing. The record of
// what it emitted goes too, so a file that comes back is emitted again
// (after settle), unchanged or not. The queue's done records, not the
// watcher's memory, keep a returning drive from being re-sent: the queue is
// the truth for "already uploaded". Unchanged files that stay present are
// emitted once per Run. In poll mode an absence shorter than a poll interval
// is not seen, and the file is not emitted again.
//
// # Volumes that go away
//
// A watched dir that is a mount point does not vanish when its volume does
// (an external RAID unplugged, a NAS remounted, a tmpfs unmounted): it
// becomes the empty folder below the mount, which reads as "every file
// deleted", and inotify tells no one (fsnotify drops IN_UNMOUNT), so the
// next full scan is what notices. [Scan.DirInfo] gives, for each watched
// dir the scan read, its Device (st_dev on Unix, the volume serial number on
// Windows, 0 elsewhere) and the number of eligible files found, and
// DirInfo.Suspect, when set, says why the scan should not be taken as a list
// of deletions:
//
//   - the dir holds no file while the watcher, just before the scan, knew of
//     some there (from the previous scan, or from events since). It stays
//     suspect in every scan until it holds a file again. Files deleted one
//     by one while the watcher sees each go (event mode) are deletions, and
//     the dir is not suspect; in poll mode, emptying a dir between two polls
//     looks the same as an unplugged drive.
//   - the dir is on another device than at the previous scan. That scan
//     alone is suspect, and the watches below it are dropped and added again
//     on the new volume.
//
// The text, for example "watched folder _graded is empty (it held 20
// files): is its drive unplugged or its share unmounted? nothing is
// forgotten meanwhile", is also in Status.Error and logged once per episode
// (the "watcher problem" warning). A suspect dir is not in Scan.Dirs, nor
// is a dir holding no file at all: the first scan of a Run has no history,
// and a daemon restarted while the drive is away must not take the empty
// mount point for deletions either. The watcher itself forgets the files,
// as in "Missing folders", and emits them again when they are back.
//
// # Settle
//
// A file is emitted once its size and mtime, judged by a fresh lstat rather
// than by events, have stayed unchanged for Options.Settle. A file whose mtime
// is already older than Settle when first seen is emitted at once; a file
// copied with its original mtime preserved is therefore protected only by the
// open-writer check below. Each version (path, size, mtime) is emitted once
// per Run while it stays present; an in-memory record of emitted versions
// keeps rescans from emitting it again. With Settle 0 a file is emitted at
// first sight, which can mean an empty version first and the written one
// later.
//
// Pending files sit in one min-heap ordered by due time, served by a single
// timer: there is no goroutine or timer per file. Status.Pending counts every
// eligible file not yet handed to Settled, including files waiting on settle
// or on an open writer, and drops only after Settled returns; Status.Scans
// rises after Scanned returns. "Nothing left" is therefore Scans > 0 and
// Pending == 0.
//
// # Open writers per OS
//
// Before files count as settled, one check asks which of that tick's
// candidates something still writes (ticks with candidates are at least
// 100ms apart, so files falling due together share it). A file held stays
// pending however long it is unchanged, up to Options.OpenWriterMax (1h),
// after which it is treated as settled, with a warning. The check runs
// before the final re-stat, so a writer that changes the file and closes it
// in between is caught by the re-stat. Status.WriterCheck names the check
// in force. The packaged service is the case that matters (DESIGN.md,
// behaviour 15): it runs as its own user, without capabilities, while
// renders run as root or as the DIT's login.
//
// Linux, event mode ("inotify + /proc"): two checks, either of which holds
// a file.
//
//   - inotify bookkeeping. A second inotify instance, on the same folders
//     as the event source, keeps which files were modified (IN_MODIFY) and
//     not closed after writing since (IN_CLOSE_WRITE), carried across
//     renames. The kernel reports both whoever writes: the service user sees
//     a root render's file as being written. (fsnotify v1.10.1 keeps its
//     close-write operation unexported, hence a separate instance.) A
//     goroutine blocked in the runtime poller reads the events, so it adds no
//     wake-up while nothing is written. It costs one inotify instance and a
//     second watch per folder, counted in fs.inotify.max_user_watches; when
//     either cannot be had, a warning names the sysctl and the bookkeeping
//     stays off until the event source restarts. On a queue overflow
//     (IN_Q_OVERFLOW) the marks are dropped, a warning says so and the tree is
//     rescanned: a file whose writer paused across the overflow falls back to
//     settle and /proc until its next write marks it again. (Keeping the marks
//     would instead hold every file whose close was lost for OpenWriterMax.)
//   - /proc walk. One walk of /proc/*/fd finds files some process holds open
//     with O_WRONLY or O_RDWR. It alone sees a writer that opened the file
//     before its folder was watched (before the daemon started) and has not
//     written since. Descriptors are matched by readlink against the
//     candidate's path (with the root's symbolic links resolved, as the kernel
//     prints them); fdinfo gives the access mode and, since Linux 5.14, the
//     inode, which must then match too, so a name unlinked (the kernel's
//     " (deleted)" suffix) or renamed over is told apart. Nothing is
//     stat'ed: a stat through /proc/PID/fd/N reaches the file's file system,
//     and one descriptor on a dead hard-mounted NFS server, any process's,
//     would block the walk for good. The walk takes a few milliseconds with a
//     few hundred processes. It sees only the processes this one may inspect:
//     other users' take CAP_SYS_PTRACE, which root has and the service user
//     has not.
//
// Linux without the bookkeeping (poll mode, or its inotify unavailable):
// "/proc" when the daemon has CAP_SYS_PTRACE, else "/proc (own processes
// only)". Windows ("share-mode open"): each candidate is opened with a share
// mode that denies writers; a sharing violation, whoever the writer, means it
// is still being written. macOS and the BSDs ("settle only"): there is no
// check, and settle alone decides. When the check cannot see other users'
// writers, Run says so once, at start or when it degrades, in a warning that
// states the consequence (a render that pauses longer than settle with the
// file open is uploaded half-written) and the fix (event mode on a local
// disk; otherwise a settle above the render's longest pause).
//
// What the bookkeeping misses, each then judged by settle and the /proc walk:
//
//   - Writes through a shared mmap raise no IN_MODIFY.
//   - Writers on other machines (NFS or SMB clients) raise no local events;
//     poll mode, meant for such shares, has no bookkeeping at all. There
//     settle alone decides.
//   - Two writers: the first close clears the mark while the other still has
//     the file open; its next write marks it again, a pause is not seen.
//   - A file opened and not yet written, or written only before its folder
//     was watched.
//   - A writer that reached the file through a bind mount or from another
//     mount namespace (a container) prints another path, which the /proc walk
//     does not match; the bookkeeping, being on the folder, sees its writes.
//
// And truncate(2) by path raises IN_MODIFY with no close to follow: such a
// file is held until OpenWriterMax.
//
// Why not give the unit CAP_SYS_PTRACE instead, so that the /proc walk sees
// everyone? The capability is far wider than reading descriptor tables: it
// lets the daemon attach to and read or write the memory of every process,
// root's included (Yama's ptrace_scope restrictions exempt its holders), and
// read every process's environment and the secrets there. A daemon that
// parses network answers would turn any bug into a root compromise. And the
// walk would remain a poll of every process's descriptors, blind to
// containers' paths. The bookkeeping needs no privilege, is event-driven,
// and also sees writers in containers; the /proc walk stays for what it can
// add (files already open and not written since the watch began).
//
// # Problems: unreadable paths and clashing names
//
// Some paths are seen but not handed over until someone fixes them; they
// are listed in [Status.Problems] (sorted by path, at most [MaxProblems],
// Status.MoreProblems counting the rest), each with what is wrong and the
// fix in plain words, and logged once (one warning per new path, the first
// MaxProblems of them, then one warning for the rest). They are not pending,
// and Scan.Present counts them as present, so nothing is pruned for them.
//
//   - A folder that cannot be read (EACCES or EPERM from reading it, or
//     from looking at what it holds: read without search permission). The
//     text names the fix: "permission denied: the service's user
//     (odailies-uploader) cannot read this folder; let it: sudo setfacl -R
//     -m u:odailies-uploader:rX DIR, or add it to the folder's group …"
//     (chmod +a on macOS, icacls on Windows). Other read errors are listed
//     too, without a fix. Its files count as present.
//   - A file that cannot be opened for reading. It is checked at settle
//     time, after the re-stat. The mode bits of the last stat, read against
//     this process's effective user and groups, settle it when they allow
//     reading (no system call for the usual file); when they deny it the
//     file is opened (O_RDONLY|O_NONBLOCK, then closed), since an ACL may
//     allow it and root bypasses modes. On Windows, with no bits to read,
//     every candidate is opened.
//   - Two or more names in one folder that are one name once normalised to
//     NFC ("café.mov" in NFC beside "café.mov" in NFD): one key at the
//     server, so neither is emitted, files or folders alike (a clashing
//     folder is not entered): "two files are named _graded/café.mov once
//     normalised (NFC and NFD spellings): rename one". One problem, under
//     the NFC path, names both spellings. Only folders holding a non-ASCII
//     name pay for the check. APFS and HFS+ take both spellings for one name,
//     so this happens on Linux and on shares.
//
// The texts of the OS's usual refusals come from [Hint], which `why` uses
// too: macOS "operation not permitted" (EPERM: its privacy protection, in
// a protected folder or on an external volume) names Full Disk Access and
// this binary; permission denied names the service's user and the command:
// for a root the user may not enter, the README's setfacl line for the
// root (and its default ACL), for a folder above the root that may not be
// entered, that folder's setfacl -m u:USER:x line too, in Status.Error; a
// path Windows refuses for its length (over 260 characters, or one name
// over 255) says how to turn long paths on or to rename. A folder that
// cannot be watched for one of these is logged with the fix: its new files
// are then found by the rescan only. The watcher's own direct Windows
// calls (the open-writer check, the volume) pass long paths in the \\?\
// form (extendedPath), so a deep tree is checked like a shallow one.
//
// A problem clears when the path becomes readable (the next scan, or the
// next event for it: a chmod raises one) or goes away. File.Path is always
// NFC, and File.Disk is the path as the folder entries spell it, NFC and NFD
// mixed per segment as they are on disk, for opening the file.
//
// # Ignore rules
//
// Built in: dotfiles (which covers AppleDouble "._*" and ".DS_Store"),
// "~*", "Thumbs.db" and "desktop.ini" (any case), and names ending in .tmp,
// .part, .crdownload or .partial (any case). Hidden folders are not entered.
// Options.Exclude and Options.Include are path.Match globs. A glob without
// "/" matches the base name; a glob with "/" matches the whole path relative
// to the root, slash-separated and NFC ("_graded/day*/A*.mov"). Exclude
// applies to folders and files; Include, when not empty, only to files.
//
// # Symbolic links
//
// Symbolic links are never followed and never emitted, whether they point
// inside or outside the root; nor are devices, sockets or pipes. A watched
// dir that is itself a symbolic link is reported as a problem and not
// scanned. The root itself may be a link.
//
// # Poll mode
//
// With Options.Poll, no fsnotify is used: the tree is scanned every
// PollInterval (10s), with the same settle and ignore logic. Use it for
// SMB/NFS shares, where events are not delivered for changes made by other
// machines, and for huge trees on macOS, where kqueue needs a file
// descriptor per watched file.
//
// When a kernel limit stops the event source, the watcher falls back to
// polling until restart (Status.Mode "poll (fallback)"), with a warning and
// a Status.Error that name the limit and how to raise it: on Linux the watch
// limit (ENOSPC from inotify_add_watch: fs.inotify.max_user_watches) and the
// instance or open-file limit (EMFILE from inotify_init1:
// fs.inotify.max_user_instances, LimitNOFILE=); on macOS and the BSDs the
// open-file limit that kqueue's descriptor per watched file runs into
// (EMFILE or ENFILE, when a watch is added or when a new file is picked up:
// NumberOfFiles in the LaunchDaemon plist's SoftResourceLimits and
// HardResourceLimits, `ulimit -n`, kern.maxfilesperproc); on Windows the
// handle limit. Setting poll = true avoids the limit altogether.
//
// # Asking about one path
//
// For `why`: [Watcher.Ignored] says which rule leaves a path out, from the
// options alone, with or without Run; [Watcher.Explain] asks the running
// Run's loop (between two events, so a scan in progress delays the answer)
// whether the file is settling, held open, held back as a problem, handed
// over or not met; [Watcher.Writers] asks the OS now who holds a file open
// for writing, by pid and command line on Linux (the /proc walk of the
// open-writer check, for one file), whether it is held on Windows, nothing
// on macOS and the BSDs.
//
// # Hazards
//
//   - Paths handed out are NFC; on-disk names may differ (macOS HFS+ stores
//     NFD): File.Disk is the name to open. The tracker keeps a disk path
//     only when it differs from the NFC one.
//   - Memory grows with the number of eligible files: about 180 bytes each
//     (18 MiB of live heap for 100,000 files, measured by
//     BenchmarkInitialScan100k).
//   - A file that its mode bits let this process read but an ACL denies is
//     emitted; the uploader's open then fails.
//   - A file changed and then changed back to the exact size and mtime it had
//     when emitted is emitted again; the queue's dedupe absorbs it.
//   - On Windows the open-writer check and the read check each open every
//     candidate once, so the first scan of a large tree costs two opens per
//     file.
//   - The open-writer check is blind to writers it cannot see (see "Open
//     writers per OS"); Status.WriterCheck says which check is in force.
//   - A change that keeps both size and mtime identical is invisible.
//   - Moving a folder within the tree re-emits its files under their new
//     paths: a path is part of a version's identity.
//   - inotify may drop a watch whose folder was moved; the periodic rescan
//     repairs what the move handling misses.
package watcher
