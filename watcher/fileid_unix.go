//go:build unix

package watcher

import (
	"io/fs"
	"os"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// ids are this process's effective user, group and supplementary groups,
// read once, to judge mode bits without a system call per file.
type ids struct {
	uid    uint32
	gid    uint32
	groups []uint32
}

func currentIDs() ids {
	me := ids{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}
	gs, _ := os.Getgroups() // none known: the bits ask for an open more often
	for _, g := range gs {
		me.groups = append(me.groups, uint32(g))
	}
	return me
}

// fileFacts returns the device and inode of a file, used to find processes
// that hold it open, and whether its mode bits let this process read it.
// The bits are only a hint: a "no" is checked by an open at settle time,
// since an ACL, or root's privilege, may allow what they deny.
func fileFacts(fi fs.FileInfo, me ids) (dev, ino uint64, mayRead bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	mode := uint32(st.Mode) //nolint:unconvert // widths differ per OS
	var bit uint32
	switch {
	case st.Uid == me.uid:
		bit = 0o400
	case st.Gid == me.gid || slices.Contains(me.groups, st.Gid):
		bit = 0o040
	default:
		bit = 0o004
	}
	return uint64(st.Dev), uint64(st.Ino), mode&bit != 0 //nolint:unconvert // widths differ per OS
}

// dirDevice is the device a watched dir is on, from its lstat.
func dirDevice(_ string, fi fs.FileInfo) uint64 {
	dev, _, _ := fileFacts(fi, ids{})
	return dev
}

// canOpen opens a file for reading and closes it at once. O_NONBLOCK keeps
// a file replaced by a FIFO meanwhile from blocking the open.
func canOpen(name string) error {
	for {
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return unix.Close(fd)
	}
}
