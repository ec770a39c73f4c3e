//go:build unix

package uploader

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openFlags open without blocking (a named pipe with no writer, a
// device) and without following a symbolic link put at the path.
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOFOLLOW | syscall.O_NOCTTY | syscall.O_CLOEXEC

// openRegular opens path for reading if it is a regular file, and never
// blocks: it opens with O_NONBLOCK, checks with fstat that it holds a
// regular file (else a *notRegularError naming what it holds), and only
// then makes the descriptor blocking again and wraps it. Clearing the
// flag before os.NewFile keeps the file out of the runtime poller, which
// on macOS mishandles regular files.
func openRegular(path string) (*os.File, error) {
	fd, err := openNoBlock(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	if m := typeBits(uint32(st.Mode)); m != 0 {
		syscall.Close(fd)
		return nil, notRegular(m)
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func openNoBlock(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, openFlags, 0)
		if !errors.Is(err, syscall.EINTR) {
			return fd, err
		}
	}
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		err := syscall.Fstat(fd, st)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// typeBits maps a stat mode's file type to fs.FileMode type bits; 0 for a
// regular file.
func typeBits(mode uint32) fs.FileMode {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}
