package watcher

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// procWriters walks proc/*/fd once for all candidates (paths relative to
// root) and reports which of them some process holds open for writing
// (O_WRONLY or O_RDWR). Processes that cannot be inspected (gone, or another
// user's without CAP_SYS_PTRACE) are skipped.
//
// Descriptors are matched by readlink, never by stat: the kernel answers a
// readlink of /proc/PID/fd/N from its own records, while a stat goes to the
// file's file system, and one descriptor on a dead hard-mounted NFS server
// (any process's, anywhere) would block the walk for good. fdinfo, also
// answered by the kernel, gives the access mode and, where the kernel
// prints it, the inode, which must then match the candidate's. So the cost
// is one readdir per process, one readlink per open descriptor, and one
// small read per descriptor that names a candidate.
func procWriters(proc, root string, cands []candidate) []bool {
	busy := make([]bool, len(cands))
	if len(cands) == 0 {
		return busy
	}
	want := make(map[string]int, len(cands))
	base := strings.TrimSuffix(realRoot(root), "/") + "/"
	for i, c := range cands {
		want[base+c.rel] = i // rel is clean and slash-separated
	}
	buf := make([]byte, 4096) // PATH_MAX
	for _, pid := range listPIDs(proc) {
		scanFDs(proc+"/"+pid, want, cands, busy, buf)
	}
	return busy
}

// realRoot is root with symbolic links resolved, as the kernel prints the
// paths of open files. (Below the root the watcher follows no links.)
func realRoot(root string) string {
	if r, err := filepath.EvalSymlinks(root); err == nil {
		return r
	}
	return root
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

// deletedSuffix is what the kernel appends to the path of an open file whose
// name has been unlinked.
const deletedSuffix = " (deleted)"

// scanFDs marks in busy every candidate that process pdir has open for
// writing. buf holds one link's target; the map lookups convert it without
// copying.
func scanFDs(pdir string, want map[string]int, cands []candidate, busy []bool, buf []byte) {
	fds, err := readNames(pdir + "/fd")
	if err != nil {
		return // exited, or not ours to inspect
	}
	for _, fd := range fds {
		n, err := syscall.Readlink(pdir+"/fd/"+fd, buf)
		if err != nil || n == 0 || n == len(buf) || buf[0] != '/' {
			continue // gone, too long, or a socket, pipe or anonymous inode
		}
		link := buf[:n]
		i, ok := want[string(link)]
		deleted := false
		if !ok {
			// Open under a name since unlinked: it may still be the candidate
			// (a hard link), which only the inode can tell.
			name, cut := bytes.CutSuffix(link, []byte(deletedSuffix))
			i, ok = want[string(name)]
			deleted = cut
		}
		if !ok || busy[i] {
			continue
		}
		data, err := os.ReadFile(pdir + "/fdinfo/" + fd)
		busy[i] = err == nil && fdinfoWrites(data, cands[i].ino, deleted)
	}
}

// fdinfoWrites reports whether an fdinfo file describes a descriptor open
// for writing on the inode ino. Without an "ino:" line (kernels before 5.14)
// the path alone decides, unless that path's name was unlinked.
func fdinfoWrites(data []byte, ino uint64, deleted bool) bool {
	flags, ok := fdinfoField(data, "flags:", 8)
	if mode := flags & syscall.O_ACCMODE; !ok || (mode != syscall.O_WRONLY && mode != syscall.O_RDWR) {
		return false
	}
	if got, ok := fdinfoField(data, "ino:", 10); ok {
		return ino == 0 || got == ino
	}
	return !deleted
}

// fdinfoField parses the number on the line of an fdinfo file that starts
// with key, in the given base.
func fdinfoField(data []byte, key string, base int) (uint64, bool) {
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		v, found := bytes.CutPrefix(line, []byte(key))
		if !found {
			continue
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), base, 64)
		return n, err == nil
	}
	return 0, false
}
