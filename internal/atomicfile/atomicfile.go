// Package atomicfile replaces a small file so that a reader, or the next
// start after a crash, sees the old content or the new, never a mix or an
// empty file: the data goes to a temporary file beside it, is synced to
// disk, and is renamed over the old one.
//
// It is for state files written now and then (a show's queue record, the
// notification outbox). The status document, rewritten every few seconds
// and harmless to lose, has its own cheaper writer without the sync.
package atomicfile

import "os"

// Write replaces path with data, the file readable and writable by its
// owner only (0600). On an error the temporary file is removed and path
// is left as it was.
func Write(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
