// Package daemon is the wired program: it opens the queue in state.dir,
// builds the watcher, the uploader, the status reporter and the control
// server from the config, and runs them under one errgroup. Run is what
// the service runs; Sync is one pass with its end rules. cmd parses the
// command line and calls these; nothing here exits the process.
//
// # Data flow
//
// The watcher hands settled files to the enqueuer, which puts them in the
// queue; each full scan prunes records of files that are gone. The
// uploader leases jobs and reports outcomes to the queue. The reporter
// reads all three every status.Interval into status.json and the status
// log, and at once (within lookEvery) when a full scan finishes or the
// work drains or starts, so `status` shows a settled daemon as it settles. The control server (internal/control, <state.dir>/control.sock)
// answers admin commands run beside the daemon: retry, report (the
// delivery report: the queue's done records with their MD5 and how the
// storage verified them, report.go), and why (why.go: what the watcher,
// the queue and the uploader know of a path; Daemon.Explain, which the
// dashboard's search box calls too). The metrics (/metrics on the
// dashboard's listener) and the [[notify]] webhooks are fed by wrapping
// each show's queue and PUT transport, never by the uploader itself
// (telling.go, "Being told").
//
// # Several shows
//
// A config of several shows ([[watch]] tables) is one such pipeline per
// show (a child Daemon: its own queue file, watcher, uploader, token,
// gate), sharing one uploader.Shared (worker budget, bandwidth cap), one
// reporter (status.json's totals and watches), one control server and one
// log, whose lines carry watch=NAME. Sync ends each show by the rules
// below and returns when every show has ended, naming each that did not
// finish; retry and report take a show's name. A config of one show is
// one Daemon, as before. shows.go has the rule for whose queue file is
// whose (keyed by root and project, never the name).
//
// # Sync's end rules
//
// Sync returns when the tree has been scanned, nothing is settling,
// nothing is queued or active, and no after-upload action (move, delete)
// is pending: the Actor carries those out as their uploads finish, and
// Sync waits for them however long a copy to another volume takes, so a
// sync that returns nil has moved or deleted every file it uploaded.
//   - nil if every file was uploaded (and acted on);
//   - ErrJobsFailed (wrapped, with the count) if some failed for good;
//   - ErrActionsFailed (wrapped, naming at most five files with the cause
//     and its fix) if an after-upload action failed (permission denied,
//     disk full). A failed action is not a failed upload: the file was
//     delivered and stays where it was. Sync does not wait for the
//     Actor's 5-minute retry: once only failed actions are left, it has
//     each tried once more (Actor.TryFailed; failures left by an earlier
//     run are tried in the Actor's first pass as well) and ends; the next
//     sync or start tries them again. It is an error (exit status 1), not
//     a warning, because a script that runs sync with after_upload =
//     "move" or "delete" takes success to mean the drive is cleared;
//     joined with ErrJobsFailed or ErrHeldBack when those apply too;
//   - an error naming the cause, at once, when uploads are blocked by
//     something waiting will not fix (token refused, unknown project);
//   - an error naming the cause when nothing could be uploaded for
//     SyncOptions.GiveUp (API unreachable, storage refusing, …);
//   - an error saying how much was left when ctx ends (SIGINT, SIGTERM)
//     with work queued, active or not yet scanned, or with after-upload
//     actions pending (carried out at the next sync or start, never the
//     upload again).
//
// SyncOptions.GiveUp counts only while files wait to be uploaded: an
// action under way never trips it. With the end-to-end test hook
// HoldActionsEnv set, actions wait for the daemon to stop, so Sync runs
// until ctx ends.
//
// A watched folder that does not exist is a warning, as for Run: what
// exists is uploaded. Only when no watched folder exists at all (the root
// is missing, a drive not plugged in) is it an error.
//
// # Hazards
//
//   - Running the daemon as root over a state.dir that the service user
//     owns would leave root-owned files the service can never open; Open
//     refuses it and names the user to run as.
//   - Admin commands (Retry, Report, Why) never create queue.db or anything
//     else in state.dir: with the daemon stopped they open an existing
//     queue only (Report not even an empty file, which opening would
//     initialise). They hold queue.db's lock meanwhile, so a daemon that
//     starts then waits up to its open timeout.
package daemon
