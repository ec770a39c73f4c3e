//go:build !unix

package uploader

import "os"

// openRegular opens path for reading if it is a regular file, else
// returns a *notRegularError naming what it holds. Here (Windows) a plain
// open does not block on what a watch root can hold; the check after it
// catches a path swapped since the lstat.
func openRegular(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(fi.Mode())
	}
	return f, nil
}
