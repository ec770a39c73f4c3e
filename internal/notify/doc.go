// Package notify sends webhooks for the [[notify]] tables: a file failed
// for good (failure), a show paused or recovered (health), a shooting day
// delivered (caught-up). Notifier.New loads what is still due from
// <state.dir>/notify.json; Run delivers it and decides when a day is
// caught up. The daemon tells it what happens through Failure, Health and
// Activity, which never block: uploads never wait for a webhook.
//
// # Events
//
//   - failure: one message per failed file; failures that come close
//     together (within Options.Gather of the first, or while the last
//     failure message to the target is less than Options.FailureEvery
//     old) go as one grouped message listing them (up to maxListed, then
//     "and N more"). Each failure is in exactly one message.
//   - health: a show's state changed from the last one notified (kept in
//     notify.json, so a restart with the same problem says nothing new):
//     paused (token refused, offline, folder missing, state disk full) or
//     back to running.
//   - caught-up: per day folder (the first folder under a watched dir:
//     _graded/Day03), once its show's queue has drained, nothing in the
//     folder failed, and no file of it was uploaded or failed for the
//     target's quiet: "Day03 (_graded/Day03): 412 files, 38.2 GiB uploaded
//     and verified, 0 failed". The counts are the queue's done records
//     under the folder. A folder announced is announced again only after
//     new work in it.
//
// # State
//
// notify.json (0600, written through a temporary file and a rename)
// holds the outbox (messages not yet accepted with a 2xx, with their
// attempts and next try), each show's last notified health and the day
// folders with work not yet announced. It is rewritten by Run soon after
// each change (within Options.Tick), not by the caller.
//
// # Delivery
//
// Each target is sent to in order, one message at a time; a refused or
// unreachable receiver is tried again with backoff (Options.RetryMin
// doubling to RetryMax) for Options.MaxAge, then the message is dropped
// with a warning. A message carries paths, show names, counts and the
// uploader's reasons (already free of tokens and signed URLs; every URL
// in them is cut once more by redact.URLsIn); never the oDailies token.
// The webhook URL is logged only as scheme and host (Slack's carries its
// secret in the path), the Authorization value never.
//
// # Hazards
//
//   - A crash between an event and the next save (Options.Tick) loses
//     that event: the window is milliseconds, the price of never making
//     an upload wait for a disk write of ours.
//   - A receiver that took a message but whose 2xx was lost gets it again
//     after the retry: webhooks are at least once. Each message carries an
//     id the receiver may use to drop a repeat.
//   - Day folders are tracked from Activity only: files uploaded by an
//     earlier version, before notify.json existed, start no caught-up.
package notify
