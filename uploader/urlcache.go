package uploader

import (
	"sync"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// maxCachedURLs bounds the signed URLs kept for retries. Past it, expired
// ones go first, then any: a lost entry only costs a sign request.
const maxCachedURLs = 4096

// urlCache keeps each job's last signed URL, in memory, so a retry can
// reuse it while it has life left instead of signing again.
type urlCache struct {
	mu sync.Mutex
	m  map[uint64]cachedURL // by job ID (one version of one file)
}

type cachedURL struct {
	path string
	su   odailies.SignedURL
}

func newURLCache() *urlCache { return &urlCache{m: make(map[uint64]cachedURL)} }

// get returns the job's URL if it has more than min life left at now.
func (c *urlCache) get(id uint64, path string, now time.Time, min time.Duration) (odailies.SignedURL, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || e.path != path || e.su.Remaining(now) <= min {
		return odailies.SignedURL{}, false
	}
	return e.su, true
}

func (c *urlCache) put(id uint64, path string, su odailies.SignedURL, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= maxCachedURLs {
		c.evict(now)
	}
	c.m[id] = cachedURL{path: path, su: su}
}

// evict drops expired entries, or one arbitrary entry if none expired.
func (c *urlCache) evict(now time.Time) {
	n := len(c.m)
	for id, e := range c.m {
		if e.su.Remaining(now) <= 0 {
			delete(c.m, id)
		}
	}
	if len(c.m) < n {
		return
	}
	for id := range c.m {
		delete(c.m, id)
		return
	}
}

func (c *urlCache) forget(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
