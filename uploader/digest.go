package uploader

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/odailies/odailies-uploader/queue"
)

// The digest each PUT sends as Content-MD5 costs one read of the file
// before its first byte goes out. So that with many files it hides behind
// the network, a hasher reads ahead of the workers: after every lease it
// hashes the jobs the next leases will hand out (queue Upcoming), one at a
// time, into a small cache; a worker whose job is there sends at once.
// With one file, or when the workers outrun it, the worker hashes its own
// file (one extra read). Either way a file is read once for its digest: a
// worker that finds its file being hashed waits for that result. Files
// sent from memory (membody.go) are not hashed ahead: their worker reads
// them once, into memory, and hashes the bytes it sends.
//
// A digest belongs to one version of one file: the cache key is the path,
// its disk spelling, size and mtime, and a digest is published only when
// fstat before and after the read saw that size and mtime. The worker has
// checked the same (open) before it uses it. A file rewritten in place
// with its size and mtime kept is caught by the storage: its BadDigest
// answer sends the file again, hashed again.

// digest is the MD5 of one file's bytes.
type digest [md5.Size]byte

func (d digest) contentMD5() string { return base64.StdEncoding.EncodeToString(d[:]) }
func (d digest) hex() string        { return hex.EncodeToString(d[:]) }

// hashBuf is the read size of hashing: memory stays bounded, and the reads
// are large enough for network shares.
const hashBuf = 256 << 10

var hashBufs = sync.Pool{New: func() any { b := make([]byte, hashBuf); return &b }}

// hashFile reads size bytes of f from offset 0 (ReadAt: f's offset is left
// alone) into an MD5. ctx ends it between reads.
func hashFile(ctx context.Context, f *os.File, size int64) (digest, error) {
	var d digest
	h := md5.New()
	bp := hashBufs.Get().(*[]byte)
	defer hashBufs.Put(bp)
	r := io.NewSectionReader(f, 0, size)
	var n int64
	for n < size {
		if err := ctx.Err(); err != nil {
			return d, err
		}
		k, err := r.Read(*bp)
		h.Write((*bp)[:k])
		n += int64(k)
		if err == io.EOF && n < size {
			return d, fmt.Errorf("read for the digest: the file ended after %d of %d bytes", n, size)
		}
		if err != nil && err != io.EOF {
			return d, fmt.Errorf("read for the digest: %w", err)
		}
	}
	copy(d[:], h.Sum(nil))
	return d, nil
}

// digestKey names one version of one file.
type digestKey struct {
	path, disk string
	size       int64
	mtime      int64 // UnixNano
}

func keyOf(it queue.Item) digestKey {
	return digestKey{path: it.Path, disk: it.Disk, size: it.Size, mtime: it.ModTime.UnixNano()}
}

// digestEntry is a digest being computed (done open) or computed.
type digestEntry struct {
	done  chan struct{}
	sum   digest
	err   error
	swept uint64 // the evict pass that last listed it (digests.mu)
}

// digests is the hasher's cache: at most max entries, the oldest finished
// ones evicted first; one that is being computed is never evicted.
type digests struct {
	mu    sync.Mutex
	m     map[digestKey]*digestEntry
	order []digestKey // insertion order, for eviction
	max   int
	sweep uint64        // evict passes so far
	kick  chan struct{} // capacity 1: the hasher should look at the queue

	// Digests computed by the hasher ahead of the workers, and by the
	// workers themselves; onPublish sees each computed one (tests).
	ahead, inline atomic.Int64
	onPublish     func(digestKey)
}

func newDigests(max int) *digests {
	return &digests{m: make(map[digestKey]*digestEntry), max: max, kick: make(chan struct{}, 1)}
}

// claim returns k's entry; mine is true when there was none and the
// caller now computes it (and must publish).
func (c *digests) claim(k digestKey) (e *digestEntry, mine bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[k]; e != nil {
		return e, false
	}
	c.evict()
	e = &digestEntry{done: make(chan struct{})}
	c.m[k] = e
	c.order = append(c.order, k)
	return e, true
}

// has reports whether k is cached or being computed.
func (c *digests) has(k digestKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k] != nil
}

// publish completes a claimed entry; a failed one is dropped, so the next
// claim computes it again.
func (c *digests) publish(k digestKey, e *digestEntry, sum digest, err error) {
	e.sum, e.err = sum, err
	if err != nil {
		c.drop(k, e)
	}
	close(e.done)
	if err == nil && c.onPublish != nil {
		c.onPublish(k)
	}
}

// drop forgets k if it still names e (nil: whatever it names).
func (c *digests) drop(k digestKey, e *digestEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.m[k]; cur != nil && (e == nil || cur == e) {
		delete(c.m, k)
	}
}

// evict makes room for one entry, and drops from order the keys no
// longer cached and the repeats of a key claimed again. c.mu held. A
// repeat is told by its entry's mark of this pass, not a set of keys: it
// runs on every claim, and a map each time cost more than the rest of the
// claim (BenchmarkDigestClaim).
func (c *digests) evict() {
	c.sweep++
	keep := c.order[:0]
	for i, k := range c.order {
		e := c.m[k]
		if e == nil || e.swept == c.sweep {
			continue // dropped already, or listed before
		}
		e.swept = c.sweep
		if len(c.m) >= c.max && finished(e) {
			delete(c.m, k)
			continue
		}
		keep = append(keep, c.order[i])
	}
	clear(c.order[len(keep):])
	c.order = keep
}

func finished(e *digestEntry) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// wake tells the hasher that the queue moved (a lease).
func (c *digests) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// hashAhead is the hasher: after each wake it hashes the jobs the next
// leases will hand out, Workers+1 of them (every worker's next job, and
// the lane's), that are not cached yet. It ends with ctx.
func (u *Uploader) hashAhead(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.sums.kick:
		}
		for _, it := range u.jobs.Upcoming(u.o.Workers + 1) {
			if ctx.Err() != nil {
				return
			}
			u.prehash(ctx, it)
		}
	}
}

// prehash hashes one queued file into the cache, unless it is there or
// being hashed. A file that cannot be opened or read, or that does not
// match its item, is skipped: its worker will find out why.
func (u *Uploader) prehash(ctx context.Context, it queue.Item) {
	k := keyOf(it)
	if it.Size == 0 || u.memSends(it.Size) || u.sums.has(k) {
		return // a file sent from memory is hashed there (membody.go)
	}
	local, err := u.localPath(queue.Job{Item: it})
	if err != nil {
		return
	}
	fi, err := os.Lstat(local)
	if err != nil || !sameVersion(fi, it) {
		return
	}
	f, err := openRegular(local)
	if err != nil {
		return
	}
	defer f.Close()
	e, mine := u.sums.claim(k)
	if !mine {
		return
	}
	sum, err := u.hashChecked(ctx, f, it)
	if err == nil {
		u.sums.ahead.Add(1)
	}
	u.sums.publish(k, e, sum, err)
}

// hashChecked hashes f, the open file of it's version: fstat before and
// after the read must both match it, or the digest is of no version.
func (u *Uploader) hashChecked(ctx context.Context, f *os.File, it queue.Item) (digest, error) {
	if fi, err := f.Stat(); err != nil || !sameVersion(fi, it) {
		return digest{}, errVersionChanged
	}
	sum, err := hashFile(ctx, f, it.Size)
	if err != nil {
		return sum, err
	}
	if fi, err := f.Stat(); err != nil || !sameVersion(fi, it) {
		return digest{}, errVersionChanged
	}
	return sum, nil
}

// errVersionChanged: the file's size or mtime moved while it was hashed.
var errVersionChanged = errors.New("the file changed while it was read for its digest")

func sameVersion(fi os.FileInfo, it queue.Item) bool {
	return fi.Mode().IsRegular() && fi.Size() == it.Size && fi.ModTime().Equal(it.ModTime)
}

// emptyDigest is the MD5 of no bytes.
var emptyDigest = digest(md5.Sum(nil))

// digestFor returns the digest to send with job's PUT: the hasher's, or
// one computed now from f, the job's open file (checked by open). fresh
// forgets a cached one first (the storage said the last one did not
// match what it received). An outcome ends the job instead: the file
// changed while it was read, or could not be read.
func (u *Uploader) digestFor(ctx context.Context, job queue.Job, f *os.File, fresh bool) (digest, outcome, bool) {
	if job.Size == 0 {
		return emptyDigest, outcome{}, true
	}
	k := keyOf(job.Item)
	if fresh {
		u.sums.drop(k, nil)
	}
	for range 2 {
		e, mine := u.sums.claim(k)
		if mine {
			sum, err := u.hashChecked(ctx, f, job.Item)
			u.sums.inline.Add(1)
			u.sums.publish(k, e, sum, err)
			return u.hashed(ctx, job, sum, err)
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return digest{}, release("stopped while the file was hashed"), false
		}
		if e.err == nil {
			return e.sum, outcome{}, true
		}
	}
	// The hasher's reads failed twice: read it here, outside the cache.
	sum, err := u.hashChecked(ctx, f, job.Item)
	return u.hashed(ctx, job, sum, err)
}

// hashed sorts the outcome of hashing job's file.
func (u *Uploader) hashed(ctx context.Context, job queue.Job, sum digest, err error) (digest, outcome, bool) {
	switch {
	case err == nil:
		return sum, outcome{}, true
	case ctx.Err() != nil:
		return sum, release("stopped while the file was hashed"), false
	case errors.Is(err, errVersionChanged):
		return sum, changed(err.Error()), false
	}
	return sum, u.transient(job, err), false
}
