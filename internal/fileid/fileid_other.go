//go:build !unix && !windows

package fileid

import "os"

func of(*os.File, os.FileInfo) (ID, bool) { return ID{}, false }

func statID(string, os.FileInfo) (ID, bool, error) { return ID{}, false, nil }
