package watcher

// Names in NFC and NFD: File.Path is NFC, File.Disk the spelling on disk,
// and two spellings of one name in one folder are a problem.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var (
	cafeNFC = norm.NFC.String("café")
	cafeNFD = norm.NFD.String("café")
)

func TestMixedNormalisationPaths(t *testing.T) {
	cases := []struct{ folder, file string }{
		{norm.NFC.String("Crème"), norm.NFD.String("Séquence.mov")}, // NFC folder, NFD file
		{norm.NFD.String("Brûlée"), norm.NFC.String("Été.mov")},     // NFD folder, NFC file
		{norm.NFD.String("Forêt"), norm.NFD.String("Noël.mov")},     // both NFD
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			root := mkTree(t)
			disk := func(top string, i int) string { return top + "/" + cases[i].folder + "/" + cases[i].file }
			for i := range cases {
				writeFile(t, filepath.Join(root, filepath.FromSlash(disk("_graded", i))), 1)
			}
			_, c := start(t, root, m.opts, nil)
			waitFor(t, c, "scan", func() bool { return c.scanCount() >= 1 })
			for i := range cases { // now through events, or the next poll
				writeFile(t, filepath.Join(root, filepath.FromSlash(disk("_thumbnails", i))), 1)
			}
			for _, top := range []string{"_graded", "_thumbnails"} {
				for i := range cases {
					want := norm.NFC.String(disk(top, i))
					waitFor(t, c, want, func() bool { n, _ := c.count(want); return n == 1 })
					_, f := c.count(want)
					if f.Disk != disk(top, i) {
						t.Errorf("%s: Disk %+q, want %+q", want, f.Disk, disk(top, i))
					}
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(f.Disk))); err != nil {
						t.Errorf("cannot open what Disk names: %v", err)
					}
				}
			}
			if s := c.lastScan(); !s.Present(norm.NFC.String(disk("_graded", 1))) {
				t.Error("Present does not take the NFC path")
			}
		})
	}
}

// requireNFDDistinct skips on a file system that takes both spellings for
// one name (APFS, HFS+), where the clash cannot happen.
func requireNFDDistinct(t *testing.T, dir string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, cafeNFC+".probe"), 1)
	_, err := os.Lstat(filepath.Join(dir, cafeNFD+".probe"))
	_ = os.Remove(filepath.Join(dir, cafeNFC+".probe"))
	if err == nil {
		t.Skip("this file system ignores normalisation: two spellings are one file")
	}
}

func TestNormalisationClash(t *testing.T) {
	for _, m := range modes {
		for _, dir := range []bool{false, true} {
			name := m.name + "/files"
			if dir {
				name = m.name + "/folders"
			}
			t.Run(name, func(t *testing.T) { testClash(t, m.opts, dir) })
		}
	}
}

// testClash puts two spellings of café (files, or folders holding a.mov)
// beside a plain file, checks that neither is emitted and that the clash
// is reported, then removes the NFD one and checks the other is emitted.
func testClash(t *testing.T, opts Options, dir bool) {
	root := mkTree(t)
	requireNFDDistinct(t, filepath.Join(root, "_graded"))
	nfcName, nfdName, suffix, what := cafeNFC+".mov", cafeNFD+".mov", "", "files"
	if dir {
		nfcName, nfdName, suffix, what = cafeNFC, cafeNFD, "/a.mov", "folders"
	}
	for _, n := range []string{nfcName, nfdName} {
		writeFile(t, filepath.Join(root, "_graded", filepath.FromSlash(n+suffix)), 1)
	}
	writeFile(t, filepath.Join(root, "_graded", "plain.mov"), 1)
	w, c := start(t, root, opts, nil)
	waitFor(t, c, "plain.mov", func() bool { n, _ := c.count("_graded/plain.mov"); return n == 1 })
	want := "two " + what + " are named _graded/" + nfcName + " once normalised (NFC and NFD spellings): rename one"
	if p := problemsOf(w)["_graded/"+nfcName]; !strings.HasPrefix(p, want) {
		t.Fatalf("problems %+v; want %q", w.Status().Problems, want)
	}
	sentinel(t, root, c)
	clashing := "_graded/" + nfcName + suffix
	if n, _ := c.count(clashing); n != 0 || !c.lastScan().Present(clashing) {
		t.Fatalf("%s emitted %d times; want never, and present", clashing, n)
	}
	if err := os.RemoveAll(filepath.Join(root, "_graded", nfdName)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "the other emitted", func() bool { n, _ := c.count(clashing); return n == 1 })
	waitFor(t, c, "problem cleared", func() bool { return len(w.Status().Problems) == 0 })
	if _, f := c.count(clashing); f.Disk != f.Path {
		t.Fatalf("emitted %+v; want the NFC spelling", f)
	}
}

// TestNormalisationClashByEvent: the NFD twin of a file, or of a folder,
// already emitted arrives while the watcher runs.
func TestNormalisationClashByEvent(t *testing.T) {
	for _, tc := range []struct{ name, nfc, nfd, suffix, what string }{
		{"files", cafeNFC + ".mov", cafeNFD + ".mov", "", "files"},
		{"folders", cafeNFC, cafeNFD, "/a.mov", "folders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := mkTree(t)
			requireNFDDistinct(t, filepath.Join(root, "_graded"))
			writeFile(t, filepath.Join(root, "_graded", filepath.FromSlash(tc.nfc+tc.suffix)), 1)
			w, c := start(t, root, Options{Settle: 50 * time.Millisecond, Rescan: time.Hour}, nil)
			path, key := "_graded/"+tc.nfc+tc.suffix, "_graded/"+tc.nfc
			waitFor(t, c, path, func() bool { n, _ := c.count(path); return n == 1 })
			writeFile(t, filepath.Join(root, "_graded", filepath.FromSlash(tc.nfd+tc.suffix)), 2)
			waitFor(t, c, "clash", func() bool { return strings.HasPrefix(problemsOf(w)[key], "two "+tc.what+" are named "+key) })
			sentinel(t, root, c)
			if n, _ := c.count(path); n != 1 {
				t.Fatalf("emitted %d times; the twin must not be sent under the same name", n)
			}
			if err := os.RemoveAll(filepath.Join(root, "_graded", tc.nfc)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, "the NFD one emitted", func() bool { _, f := c.count(path); return f.Size == 2 })
			if _, f := c.count(path); f.Disk != "_graded/"+tc.nfd+tc.suffix {
				t.Fatalf("emitted %+v; want Disk in NFD", f)
			}
			waitFor(t, c, "problem cleared", func() bool { return len(w.Status().Problems) == 0 })
		})
	}
}
