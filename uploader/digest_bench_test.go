package uploader

import "testing"

// BenchmarkDigestClaim: one claim and publish on a full cache of the
// default size for 4 workers, as the hasher does for every file.
func BenchmarkDigestClaim(b *testing.B) {
	c := newDigests(4 * 5)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := digestKey{path: "_thumbnails/d000/f000000.jpg", size: int64(i)}
		e, _ := c.claim(k)
		c.publish(k, e, digest{}, nil)
		i++
	}
}
