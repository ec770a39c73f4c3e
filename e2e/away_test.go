package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
)

// A folder renamed away and back while jobs are queued (DESIGN.md,
// behaviours 5 and 14): the workers find its files missing meanwhile, and
// once it is back every file is uploaded, none failed, and none that was
// done before it went is sent again.

// TestFolderAwayAndBack moves _graded (and, in a subtest, the whole root)
// away for 3 s while a slow link keeps most of its 12 files queued.
func TestFolderAwayAndBack(t *testing.T) {
	for _, which := range []string{"_graded", "root"} {
		t.Run(which, func(t *testing.T) { awayAndBack(t, which) })
	}
}

func awayAndBack(t *testing.T, which string) {
	r := newRig(t, rigOptions{link: true, countPuts: true, workers: 2})
	files := tree{}
	for i := range 12 {
		files[fmt.Sprintf("_graded/day1/A%03dC001.mov", i)] = randomBytes(t, 24<<10+i)
	}
	files.write(t, r.root)
	r.link.Bandwidth(toxi.Upstream, 32) // KiB/s per connection: most of a second a file
	d := r.start()
	r.eventually("two files uploaded", 30*time.Second, func() bool { return len(r.uploaded()) >= 2 })

	dir := r.root
	if which != "root" {
		dir = filepath.Join(r.root, which)
	}
	before := r.uploaded() // done before the move: never sent again
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	moved := time.Now()
	time.Sleep(3 * time.Second) // the workers find the queued files missing
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		t.Fatalf("run exited while %s was away: %v\nlog:\n%s", which, err, r.logTail())
	default:
	}
	var last statusDoc
	deadline := time.Now().Add(40 * time.Second)
	for {
		s, ok := r.statusFile()
		if ok {
			last = s
		}
		if ok && s.Done == len(files) && s.Queued == 0 && s.Active == 0 && s.Updated.After(moved) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s moved away for 3 s and back: after 40 s the status is done=%d queued=%d active=%d failed=%d gone=%d (want done=%d), state %q %q\nlog:\n%s",
				which, last.Done, last.Queued, last.Active, last.Failed, last.Gone, len(files), last.State, last.Detail, r.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.stop()
	r.assertStored(files)
	if st := r.status(); st.Failed != 0 {
		t.Errorf("status after %s came back: failed=%d, want 0; recent failures %+v\nlog:\n%s", which, st.Failed, st.RecentFailures, r.logTail())
	}
	var twice []string
	for _, p := range before {
		if n := r.puts.Puts(p); n != 1 {
			twice = append(twice, fmt.Sprintf("%s (%d PUTs)", p, n))
		}
	}
	if len(twice) > 0 {
		t.Errorf("files uploaded before %s went away were PUT again after it came back: %s\nlog:\n%s",
			which, strings.Join(twice, ", "), r.logTail())
	}
	resent := 0
	for _, k := range files.sortedKeys() {
		if r.puts.Puts(k) > 1 {
			resent++
		}
	}
	t.Logf("%s away 3 s: %d file(s) done before, %d found missing by a worker, %d of %d PUT more than once (in flight at the move), %d sign requests",
		which, len(before), strings.Count(r.logText(), "msg=\"file vanished"), resent, len(files), r.api.Requests("sign"))
}

var uploadedRE = regexp.MustCompile(`(?m)\bmsg=uploaded\b.*? path=("(?:[^"\\]|\\.)*"|\S+)`)

// uploaded lists the paths the log says were uploaded (a Done recorded),
// sorted, each once.
func (r *rig) uploaded() []string {
	seen := map[string]bool{}
	for _, m := range uploadedRE.FindAllStringSubmatch(r.logText(), -1) {
		p := m[1]
		if strings.HasPrefix(p, `"`) {
			if _, err := fmt.Sscanf(p, "%q", &p); err != nil {
				continue
			}
		}
		seen[p] = true
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}
