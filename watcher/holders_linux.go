package watcher

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// holdersOf walks /proc once for the one file, as procWriters does for
// many, keeping who holds it: the pid and its command line.
func holdersOf(root, rel string, ino uint64) Holders {
	h := Holders{Known: true, SeesAll: seesOtherUsers()}
	h.Writers = procHolders("/proc", root, rel, ino)
	h.Held = len(h.Writers) > 0
	return h
}

// procHolders lists the processes under proc that have root/rel open for
// writing (on the inode ino, when fdinfo says and ino is not 0).
func procHolders(proc, root, rel string, ino uint64) []Writer {
	want := strings.TrimSuffix(realRoot(root), "/") + "/" + rel
	buf := make([]byte, 4096)
	var out []Writer
	for _, pid := range listPIDs(proc) {
		if holds(proc+"/"+pid, want, ino, buf) {
			n, _ := strconv.Atoi(pid)
			out = append(out, Writer{PID: n, Command: commandOf(proc + "/" + pid)})
		}
	}
	return out
}

// holds reports whether process pdir has want open for writing.
func holds(pdir, want string, ino uint64, buf []byte) bool {
	fds, err := readNames(pdir + "/fd")
	if err != nil {
		return false
	}
	for _, fd := range fds {
		n, err := syscall.Readlink(pdir+"/fd/"+fd, buf)
		if err != nil || n == 0 || n == len(buf) {
			continue
		}
		link, deleted := bytes.CutSuffix(buf[:n], []byte(deletedSuffix))
		if string(link) != want {
			continue
		}
		if data, err := os.ReadFile(pdir + "/fdinfo/" + fd); err == nil && fdinfoWrites(data, ino, deleted) {
			return true
		}
	}
	return false
}

// maxCommand bounds a command line as Writer gives it.
const maxCommand = 200

// commandOf is a process's command line, arguments joined by spaces (cut
// at maxCommand bytes), or its name when the command line is empty (a
// kernel thread) or unreadable.
func commandOf(pdir string) string {
	b, err := os.ReadFile(pdir + "/cmdline")
	if err != nil || len(b) == 0 {
		b, _ = os.ReadFile(pdir + "/comm")
	}
	s := strings.TrimSpace(strings.ReplaceAll(string(bytes.TrimRight(b, "\x00")), "\x00", " "))
	if len(s) > maxCommand {
		s = strings.ToValidUTF8(s[:maxCommand], "") + "…"
	}
	return s
}

// writersUnder walks /proc once for every file under root open for
// writing. Without a file's inode to compare, a name since unlinked
// (" (deleted)") is left out.
func writersUnder(root string) (map[string][]Writer, bool, bool) {
	return procUnder("/proc", root), true, seesOtherUsers()
}

func procUnder(proc, root string) map[string][]Writer {
	base := strings.TrimSuffix(realRoot(root), "/") + "/"
	buf := make([]byte, 4096)
	out := map[string][]Writer{}
	for _, pid := range listPIDs(proc) {
		pdir := proc + "/" + pid
		fds, err := readNames(pdir + "/fd")
		if err != nil {
			continue
		}
		seen := map[string]bool{}
		for _, fd := range fds {
			n, err := syscall.Readlink(pdir+"/fd/"+fd, buf)
			if err != nil || n == 0 || n == len(buf) {
				continue
			}
			rel, ok := strings.CutPrefix(string(buf[:n]), base)
			if !ok || seen[rel] || strings.HasSuffix(rel, deletedSuffix) {
				continue
			}
			if data, err := os.ReadFile(pdir + "/fdinfo/" + fd); err == nil && fdinfoWrites(data, 0, false) {
				seen[rel] = true
				n, _ := strconv.Atoi(pid)
				out[rel] = append(out[rel], Writer{PID: n, Command: commandOf(pdir)})
			}
		}
	}
	return out
}
