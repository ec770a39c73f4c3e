package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
)

// TestThumbnailsPassClips is behaviour 9 as a DIT meets it: over https,
// on a link of 1.5 MB/s (toxiproxy's cap, per connection), with 4 workers
// every one carrying a clip and more clips queued, 20 thumbnails dropped
// into _thumbnails are all stored within 8 s, while no clip has finished.
// Once with 40 MB proxies (under the old size rule's 64 MiB, so they
// filled every worker), once with 3 GiB sparse clips, which are left
// unfinished: the daemon is stopped after the check.
func TestThumbnailsPassClips(t *testing.T) {
	tests := []struct {
		name   string
		size   int64
		sparse bool
	}{
		{"40 MB clips", 40e6, false},
		{"3 GiB sparse clips", 3 << 30, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, rigOptions{link: true, workers: 4, tls: true})
			for i := range 6 {
				writeClip(t, filepath.Join(r.root, "_graded", fmt.Sprintf("A%03dC001.mov", i)), tc.size, tc.sparse)
			}
			r.link.Bandwidth(toxi.Upstream, 1500)
			d := r.start()
			r.eventually("every worker carrying a clip", 60*time.Second, func() bool {
				s, ok := r.statusFile()
				return ok && s.Active == 4
			})
			thumbs := map[string][]byte{}
			for i := range 20 {
				rel := fmt.Sprintf("_thumbnails/A%03dC001.jpg", i)
				thumbs[rel] = randomBytes(t, 20_000+i)
				if err := os.WriteFile(filepath.Join(r.root, rel), thumbs[rel], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dropped := time.Now()
			var clipsStored []string
			r.eventually("all 20 thumbnails stored within 8 s", 8*time.Second, func() bool {
				n := 0
				clipsStored = clipsStored[:0]
				for _, k := range r.s3.Keys(t) {
					switch {
					case strings.HasPrefix(k, "_thumbnails/"):
						n++
					case strings.HasPrefix(k, "_graded/"):
						clipsStored = append(clipsStored, k)
					}
				}
				return n == len(thumbs)
			})
			t.Logf("20 thumbnails stored %s after the drop", time.Since(dropped).Round(time.Millisecond))
			if len(clipsStored) > 0 {
				t.Errorf("clips stored before the thumbnails were all up: %q (the link should hold them far longer)", clipsStored)
			}
			for rel, want := range thumbs {
				if got, ok := r.s3.Object(t, rel); !ok || !bytes.Equal(got, want) {
					t.Errorf("%s: stored %d bytes, not the file's %d", rel, len(got), len(want))
				}
			}
			if s, ok := r.statusFile(); ok && s.Failed != 0 {
				t.Errorf("failed = %d: %+v", s.Failed, s.RecentFailures)
			}
			d.stop()
		})
	}
}

// writeClip makes a clip of size bytes: written (a repeating pattern,
// which costs the test no randomness) or sparse (no block written).
func writeClip(t *testing.T, p string, size int64, sparse bool) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sparse {
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		return
	}
	chunk := bytes.Repeat([]byte(filepath.Base(p)), 1<<16)
	for left := size; left > 0; {
		n := min(left, int64(len(chunk)))
		if _, err := f.Write(chunk[:n]); err != nil {
			t.Fatal(err)
		}
		left -= n
	}
}
