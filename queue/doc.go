// Package queue is the daemon's durable job store on bbolt: job states,
// dedupe by file version (path + size + mtime), leases, the retry schedule,
// priorities and counts. It knows nothing of HTTP or of the file system
// watcher.
package queue
