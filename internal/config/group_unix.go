//go:build !windows

package config

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// PackageUser is the user (and group) the Linux packages create for the
// service and name in the unit's User=.
const PackageUser = "odailies-uploader"

// serviceGroup reports whether fi's group is the service's: the package's
// group, or the primary group of serviceUser when one is set.
func serviceGroup(fi os.FileInfo, serviceUser string) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	gid := strconv.FormatUint(uint64(st.Gid), 10)
	if g, err := user.LookupGroup(PackageUser); err == nil && g.Gid == gid {
		return true
	}
	if serviceUser == "" {
		return false
	}
	u, err := user.Lookup(serviceUser)
	return err == nil && u.Gid == gid
}
