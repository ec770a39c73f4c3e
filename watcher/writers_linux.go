package watcher

import (
	"bytes"
	"os"
	"strconv"
)

// openWriters finds candidates held open for writing by walking /proc once.
func openWriters(root string, cands []candidate) []bool { return procWriters("/proc", root, cands) }

// procOwn describes the check when only the /proc walk runs and it may not
// read other users' processes.
const procOwn = "/proc (own processes only)"

// writerCheck describes the open-writer check in force, for Status; fix is
// what to do about it when it cannot see other users' writers, "" when it
// can. The book sees every writer on this machine; the /proc walk sees the
// processes this one may inspect.
func (l *loop) writerCheck() (desc, fix string) {
	switch {
	case l.book != nil:
		return "inotify + /proc", ""
	case l.seesAll:
		return "/proc", ""
	case l.w.opts.Poll:
		return procOwn, "on a local disk set poll = false (event mode adds inotify bookkeeping, which sees " +
			"every user's writers); on a network share " + raiseSettle
	case l.limit != "":
		return procOwn, "raise the limit named in the status error and restart, or " + raiseSettle
	default:
		return procOwn, "see the open-writer bookkeeping warning, or " + raiseSettle
	}
}

// capSysPtrace is CAP_SYS_PTRACE's bit in the capability sets.
const capSysPtrace = 19

// seesOtherUsers reports whether this process may read other users'
// /proc/PID/fd, which takes CAP_SYS_PTRACE in its effective set: root has it
// unless the service drops it; the packaged service user does not.
func seesOtherUsers() bool {
	data, err := os.ReadFile("/proc/self/status")
	return err == nil && hasCap(data, capSysPtrace)
}

// hasCap reads the hexadecimal CapEff line of a /proc/PID/status file.
func hasCap(status []byte, bit uint) bool {
	for line := range bytes.SplitSeq(status, []byte("\n")) {
		v, ok := bytes.CutPrefix(line, []byte("CapEff:"))
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
		return err == nil && n&(1<<bit) != 0
	}
	return false
}
