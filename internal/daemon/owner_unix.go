//go:build !windows

package daemon

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// foreignOwner reports, when this process runs as root, the name of the
// non-root user who owns path.
func foreignOwner(path string) (string, bool) {
	if os.Geteuid() != 0 {
		return "", false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return "", false
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username, true
	}
	return "uid " + uid, true
}
