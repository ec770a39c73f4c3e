package watcher

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// fileKey identifies a file by device and inode, whatever its path.
type fileKey struct{ dev, ino uint64 }

// procWriters walks proc/*/fd once for all candidates and reports which of
// them some process holds open for writing (O_WRONLY or O_RDWR). Processes
// that cannot be inspected (gone, or another user's without privilege) are
// skipped. The flags are read only for descriptors that point at a
// candidate, so the cost is one readdir per process and one stat per open
// descriptor.
func procWriters(proc string, cands []candidate) []bool {
	busy := make([]bool, len(cands))
	want := make(map[fileKey]bool, len(cands))
	for _, c := range cands {
		want[fileKey{c.dev, c.ino}] = true
	}
	writing := make(map[fileKey]bool)
	for _, pid := range listPIDs(proc) {
		scanFDs(proc+"/"+pid, want, writing)
	}
	if len(writing) == 0 {
		return busy
	}
	for i, c := range cands {
		busy[i] = writing[fileKey{c.dev, c.ino}]
	}
	return busy
}

// listPIDs returns the numeric entries of the proc folder.
func listPIDs(proc string) []string {
	names, err := readNames(proc)
	if err != nil {
		return nil
	}
	pids := names[:0]
	for _, n := range names {
		if n != "" && n[0] >= '0' && n[0] <= '9' {
			pids = append(pids, n)
		}
	}
	return pids
}

func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// scanFDs adds to writing every wanted file that process pdir has open for
// writing.
func scanFDs(pdir string, want, writing map[fileKey]bool) {
	fds, err := readNames(pdir + "/fd")
	if err != nil {
		return // exited, or not ours to inspect
	}
	for _, fd := range fds {
		var st syscall.Stat_t
		if syscall.Stat(pdir+"/fd/"+fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
			continue
		}
		k := fileKey{uint64(st.Dev), st.Ino} //nolint:unconvert // Dev's width differs per arch
		if want[k] && !writing[k] && openForWriting(pdir+"/fdinfo/"+fd) {
			writing[k] = true
		}
	}
}

// openForWriting reads the octal "flags:" line of an fdinfo file.
func openForWriting(fdinfo string) bool {
	data, err := os.ReadFile(fdinfo)
	if err != nil {
		return false
	}
	flags, ok := fdinfoFlags(data)
	mode := flags & syscall.O_ACCMODE
	return ok && (mode == syscall.O_WRONLY || mode == syscall.O_RDWR)
}

func fdinfoFlags(data []byte) (int, bool) {
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		v, found := bytes.CutPrefix(line, []byte("flags:"))
		if !found {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 8, 64)
		return int(n), err == nil
	}
	return 0, false
}
