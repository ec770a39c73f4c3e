package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// A volume that goes away is not a deletion (DESIGN.md, behaviour 14): an
// unmounted drive leaves an empty mount point, which reads as "every file
// deleted". The daemon must not forget what it uploaded, must say the
// folder may be missing meanwhile, and must not send the same files again
// when the volume is back.

const volumeRescan = time.Second

// TestVolumeAwayIsNotADeletion mounts a volume on _graded, uploads its 10
// files, unmounts it for two full scans and mounts it again: no new sign
// request, no new PUT. On a fresh tmpfs the files are copied back with
// their original mtimes (as cp -p does); a bind mount brings back the very
// same files.
func TestVolumeAwayIsNotADeletion(t *testing.T) {
	requireMounts(t)
	t.Run("tmpfs", func(t *testing.T) { volumeAway(t, "tmpfs") })
	t.Run("bind", func(t *testing.T) { volumeAway(t, "bind") })
}

var awayRE = regexp.MustCompile(`(?i)_graded\b.*\b(empty|missing|unplugged|unmounted|another volume)`)

func volumeAway(t *testing.T, kind string) {
	r := newRig(t, rigOptions{rescan: volumeRescan.String(), countPuts: true})
	graded := filepath.Join(r.root, "_graded")
	src := filepath.Join(r.dir, "volume")
	mustMkdir(t, src)
	plug := func() *mountPoint {
		if kind == "bind" {
			return bindMount(t, src, graded)
		}
		return mountTmpfs(t, graded, "64m", "0755")
	}
	m := plug()
	files := tree{}
	for i := range 10 {
		files[fmt.Sprintf("_graded/day1/A%03dC001.mov", i)] = randomBytes(t, 50_000+i)
	}
	files.write(t, r.root)
	mtimes := map[string]time.Time{}
	for rel := range files {
		fi, err := os.Stat(filepath.Join(r.root, rel))
		if err != nil {
			t.Fatal(err)
		}
		mtimes[rel] = fi.ModTime()
	}

	d := r.start()
	r.eventually("the 10 files uploaded (status done=10)", 30*time.Second, func() bool {
		s, ok := r.statusFile()
		return ok && s.Done == len(files) && s.Queued == 0 && s.Active == 0
	})
	signs, signed, puts := r.api.Requests("sign"), len(r.api.SignedPaths()), r.puts.Under("")

	m.unmount() // _graded is now an empty mount point
	away := r.waitScans(time.Now(), "two full scans with the volume away")
	said := away.Watcher.Error
	if away.Detail != said {
		said += " | " + away.Detail
	}
	if !awayRE.MatchString(said) && !awayRE.MatchString(r.logText()) {
		t.Errorf("%s unmounted from _graded for two scans: neither status (state %q, detail %q, watcher.error %q) nor the log says the folder may be missing or empty\nlog:\n%s",
			kind, away.State, away.Detail, away.Watcher.Error, r.logTail())
	} else if !awayRE.MatchString(said) {
		t.Errorf("%s unmounted: the log says the folder may be missing, but the status does not (state %q, detail %q, watcher.error %q)",
			kind, away.State, away.Detail, away.Watcher.Error)
	}
	if away.Done != len(files) {
		t.Errorf("status with the volume away: done=%d, want %d (nothing forgotten); gone=%d", away.Done, len(files), away.Gone)
	}

	plug()
	if kind == "tmpfs" { // a fresh volume: copy the files back as cp -p does
		for rel, content := range files {
			p := filepath.Join(r.root, filepath.FromSlash(rel))
			mustMkdir(t, filepath.Dir(p))
			if err := os.WriteFile(p, content, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, mtimes[rel], mtimes[rel]); err != nil {
				t.Fatal(err)
			}
		}
	}
	back := r.waitScans(time.Now().Add(300*time.Millisecond), "two full scans with the volume back")
	if back.Watcher.Pending != 0 {
		r.eventually("nothing settling", 10*time.Second, func() bool {
			s, ok := r.statusFile()
			back = s
			return ok && s.Watcher.Pending == 0
		})
	}
	newSigns, newPuts := r.api.Requests("sign")-signs, r.puts.Under("")-puts
	if newSigns != 0 || newPuts != 0 {
		t.Errorf("the same 10 files back on a %s mount: %d new sign request(s) (%q) and %d new PUT(s), want 0 and 0\nlog:\n%s",
			kind, newSigns, r.api.SignedPaths()[signed:], newPuts, r.logTail())
	}
	if back.Done != len(files) || back.Queued != 0 || back.Failed != 0 {
		t.Errorf("status with the volume back: done=%d queued=%d failed=%d gone=%d, want done=%d and nothing else",
			back.Done, back.Queued, back.Failed, back.Gone, len(files))
	}
	if awayRE.MatchString(back.Watcher.Error + " " + back.Detail) {
		t.Errorf("status still says the folder may be missing after its files came back: detail %q, watcher.error %q", back.Detail, back.Watcher.Error)
	}
	d.stop()
	r.assertStored(files)
	t.Logf("%s: away, status said %q; back, %d new signs, %d new PUTs", kind, said, newSigns, newPuts)
}

// waitScans waits until status.json shows two full scans finished after
// since (a scan finished later than since plus two rescan periods) and
// returns it.
func (r *rig) waitScans(since time.Time, what string) statusDoc {
	r.t.Helper()
	var s statusDoc
	r.eventually(what, 15*time.Second, func() bool {
		var ok bool
		s, ok = r.statusFile()
		return ok && s.Watcher.LastScan.After(since.Add(2*volumeRescan))
	})
	return s
}
