package e2e

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// tree is a set of files written under a root: slash path → content.
type tree map[string][]byte

// writeFile writes content at root/rel, through a hidden temporary name
// renamed into place, as render tools do.
func writeFile(t *testing.T, root, rel string, content []byte) {
	t.Helper()
	dst := filepath.Join(root, filepath.FromSlash(rel))
	mustMkdir(t, filepath.Dir(dst))
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+filepath.Base(dst))
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// write writes every file of the tree.
func (tr tree) write(t *testing.T, root string) {
	t.Helper()
	for rel, content := range tr {
		writeFile(t, root, rel, content)
	}
}

// sortedKeys lists the tree's paths.
func (tr tree) sortedKeys() []string {
	keys := make([]string, 0, len(tr))
	for k := range tr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// assertStored checks that the bucket holds exactly want, byte for byte.
func (r *rig) assertStored(want tree) {
	r.t.Helper()
	got := r.s3.Keys(r.t)
	sort.Strings(got)
	if !equalStrings(got, want.sortedKeys()) {
		r.t.Fatalf("bucket keys:\n got  %q\n want %q", got, want.sortedKeys())
	}
	for key, content := range want {
		data, ok := r.s3.Object(r.t, key)
		if !ok {
			r.t.Errorf("object %q missing", key)
			continue
		}
		if !bytes.Equal(data, content) {
			r.t.Errorf("object %q: %d bytes differ from the %d-byte file", key, len(data), len(content))
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
