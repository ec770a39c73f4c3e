package queue

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Mapped pages. bbolt reads queue.db through a read-only shared memory
// map, and every page it reads stays mapped, counted in the process's
// RSS, until the map is replaced (it grows by doubling). A first sync of
// 100,000 files reads most pages of a 32 MB file (each Done rewrites a
// record, reading its leaf), so the map alone held 31 MiB of the 115 MiB
// peak. Those pages are the file's, in the page cache, and nothing needs
// them mapped: after a commit the writer tells the kernel to drop the
// map's page table entries (madvise MADV_DONTNEED on Linux; a no-op
// elsewhere). A page read again is mapped again from the page cache (a
// minor fault, no I/O). The content is never touched: the map is of the
// file, and a shared file map's pages always read as the file.
//
// The map must not move meanwhile: the advice is given inside a read
// transaction, which holds bbolt's lock against a remap, from the writer
// goroutine, the only one that commits (and so grows the map).
//
// It costs a system call per drop and a minor fault per page read again,
// so it is done only for a file of at least dropMinSize and at most every
// dropEvery: a small tree (1,500 files is under 1 MiB) never pays it.
const (
	dropMinSize = 2 << 20
	dropEvery   = 100 * time.Millisecond
)

// dropMapped drops the map's pages if the file is large enough and the
// last drop is at least dropEvery old; it returns when it last dropped.
// A failure is ignored: it only leaves the pages counted.
func dropMapped(db *bolt.DB, last time.Time) time.Time {
	now := time.Now()
	if now.Sub(last) < dropEvery {
		return last
	}
	_ = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			if size := tx.Size(); size >= dropMinSize {
				adviseDontNeed(db.Info().Data, uintptr(size))
			}
			return nil
		})
	})
	return now
}
