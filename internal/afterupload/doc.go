// Package afterupload carries out watch.after_upload once a file's upload
// is done and verified: "move" puts it in the after-upload folder at the
// same relative path, "delete" deletes it. The queue records the action,
// pending, in the same commit as the upload's Done (queue.Delivery.Then);
// the Actor lists pending actions, carries each out and records the
// outcome (queue.Acted).
//
// # Rules
//
//   - A file is acted on only while it is the version that was uploaded:
//     same size, same modification time, and the same file (fileid: device
//     and inode, volume and file index on Windows) as the one the upload
//     read. A file replaced by another, even of the same size and time, is
//     left where it is (skipped, and said so); its new version is queued by
//     the watcher as usual.
//   - A move never overwrites: when the destination name is taken by
//     another file, the file gets the first free name of "a (2).mov",
//     "a (3).mov", … and the log says so. Both files are kept.
//   - On another volume (rename gives EXDEV), a move copies to a hidden
//     partial name in the destination folder, fsyncs it, checks the copy's
//     MD5 against the bytes read (and against the upload's MD5 when there
//     is one), gives it the file's modification time, puts it in place
//     under a free name, fsyncs the folder, checks the file is still the
//     version uploaded, and only then removes the original.
//   - An action that fails (permission denied, disk full) is failed, with
//     the fix in the log and the status, and tried again every
//     Options.RetryEvery, at every start, and when Actor.TryFailed asks
//     (sync does, once, before it ends; Tried says when that pass is
//     over). One that is skipped is not.
//
// # Crash safety
//
// The queue holds the action pending from the Done on; Acted is recorded
// after it. A crash between the two redoes the action at the next start,
// never the upload:
//
//   - a file already deleted is counted deleted;
//   - a file already moved is found at the destination: a file there with
//     the same identity (a rename keeps it), or, after a copy to another
//     volume, the same size, modification time and MD5; the move is then
//     done (a copy already in place is not made twice, and the original is
//     removed);
//   - a partial copy left in the destination folder is written again from
//     the start and renamed, never left behind.
//
// # Hazards
//
//   - The check and the rename or delete are two system calls: a file
//     swapped in between (a render tool replacing it within microseconds)
//     is moved or deleted in its place. A rename keeps the file's identity,
//     so a move checks the destination afterwards and logs a mismatch; a
//     delete cannot.
//   - Where the file system refuses both rename-without-replace and hard
//     links (some SMB and FAT volumes), a free name is checked before a
//     plain rename: another writer taking that name in between would be
//     overwritten.
//   - A move leaves the source's folders in place (a render tool may be
//     about to write into them).
//   - ODAILIES_UPLOADER_TESTHOOK_HOLD_ACTIONS (read by internal/daemon,
//     for the end-to-end tests only) holds every action until the daemon
//     stops; nothing sets it in a service.
package afterupload
