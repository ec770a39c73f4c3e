package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Names spelled in NFC and NFD (macOS hands names back decomposed; Linux
// and shares keep whatever was written): the server knows one spelling,
// NFC, so every key is NFC whatever the disk says, and two names that are
// one name once normalised are a problem someone must fix, not two
// uploads racing for one key.

// TestMixedUnicodePaths: NFC folders holding NFD files and NFD folders
// holding NFC files are uploaded under their NFC keys; two files in one
// folder whose names differ only in normalisation make sync exit 1
// naming them, and neither is uploaded.
func TestMixedUnicodePaths(t *testing.T) {
	t.Run("mixed spellings", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		disk := map[string][]byte{ // the path as written on disk → content
			"_graded/" + nfc("caf\u00e9") + "/" + nfd("de\u0301ja\u0300 vu.mov"):    randomBytes(t, 40_000),
			"_graded/" + nfd("Mo\u0308tley") + "/" + nfc("Cr\u00fce.mov"):           randomBytes(t, 30_001),
			"_graded/" + nfd("\uc11c\uc6b8") + "/" + nfc("\ud55c\uac15 take 1.mov"): randomBytes(t, 20_002),
			"_thumbnails/" + nfd("Zoe\u0308") + "/" + nfd("nai\u0308ve.jpg"):        randomBytes(t, 10_003),
		}
		want := tree{}
		for rel, content := range disk {
			if nfc(rel) == rel {
				t.Fatalf("%q is all NFC: the test needs NFD segments (was the source normalised?)", rel)
			}
			writeFile(t, r.root, rel, content)
			want[nfc(rel)] = content
		}
		res := r.syncWithin(30*time.Second, 0)
		if keys := r.s3.Keys(t); len(keys) != len(want) {
			t.Errorf("sync exited 0 but the bucket holds %q\nstderr:\n%s\nlog:\n%s", keys, res.stderr, r.logTail())
		}
		r.assertStored(want)
		if st := r.status(); st.Done != len(want) || st.Failed != 0 {
			t.Errorf("status after a sync of %d mixed-spelling files: done=%d failed=%d\nstderr:\n%s", len(want), st.Done, st.Failed, res.stderr)
		}
	})

	t.Run("names that differ only in normalisation", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		composed := "_graded/day1/" + nfc("r\u00e9sum\u00e9.mov")
		decomposed := "_graded/day1/" + nfd("re\u0301sume\u0301.mov")
		if composed == decomposed {
			t.Fatal("the two spellings are equal: was the source normalised?")
		}
		writeFile(t, r.root, composed, randomBytes(t, 5000))
		writeFile(t, r.root, decomposed, randomBytes(t, 6000))
		ok := tree{"_graded/day1/ok.mov": randomBytes(t, 7000)}
		ok.write(t, r.root)
		names, err := os.ReadDir(filepath.Join(r.root, "_graded", "day1"))
		if err != nil || len(names) != 3 {
			t.Skipf("this file system does not keep both spellings apart (%d names, %v): nothing to test", len(names), err)
		}

		res := r.syncWithin(30*time.Second, 1)
		keys := r.s3.Keys(t)
		for _, k := range keys {
			if strings.HasPrefix(nfc(k), "_graded/day1/r") {
				t.Errorf("object %q was uploaded though two files are named %s once normalised", k, composed)
			}
		}
		if _, stored := r.s3.Object(t, "_graded/day1/ok.mov"); !stored {
			t.Errorf("the file beside the clash was not uploaded; bucket holds %q\nlog:\n%s", keys, r.logTail())
		}
		statusJSON, _ := os.ReadFile(filepath.Join(r.state, "status.json"))
		human := r.cmd(t.Context(), "status")
		said := map[string]string{
			"sync's output": res.stdout + res.stderr, "status.json": string(statusJSON),
			"status": human.stdout, "log": r.logText(),
		}
		var where []string
		for _, name := range []string{"sync's output", "status.json", "status", "log"} {
			if text := nfc(said[name]); strings.Contains(text, composed) && clashRE.MatchString(text) {
				where = append(where, name)
			}
		}
		if len(where) == 0 || where[0] == "log" {
			t.Errorf("neither sync's output nor the status names the clash at %s (named in: %q)\nsync stderr:\n%s\nstatus:\n%s\nstatus.json:\n%s\nlog:\n%s",
				composed, where, res.stderr, human.stdout, statusJSON, r.logTail())
		}
		t.Logf("sync exited 1: %s; the clash is named in %q", strings.TrimSpace(res.stderr), where)
	})
}

var clashRE = regexp.MustCompile(`(?i)normali[sz]|NFC|NFD|spelling|clash|collid|collision`)

func nfc(s string) string { return norm.NFC.String(s) }
func nfd(s string) string { return norm.NFD.String(s) }

// syncWithin runs sync, stopping it (SIGTERM) after d, and fails the test
// unless it exited by itself with want.
func (r *rig) syncWithin(d time.Duration, want int) result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), d)
	defer cancel()
	began := time.Now()
	res := r.cmd(ctx, "sync")
	if ctx.Err() != nil {
		r.t.Fatalf("sync still running after %s (stopped: exit %d), want exit %d\nstderr:\n%s\nlog:\n%s", d, res.code, want, res.stderr, r.logTail())
	}
	if res.code != want {
		r.t.Fatalf("sync exited %d after %s, want %d\nstdout:\n%s\nstderr:\n%s\nlog:\n%s",
			res.code, time.Since(began).Round(time.Millisecond), want, res.stdout, res.stderr, r.logTail())
	}
	return res
}
