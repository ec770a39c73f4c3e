package watcher

import (
	"bytes"
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// apply updates the book from one read of the inotify descriptor: whole
// events, each a native-endian header (wd, mask, cookie, len) and a
// NUL-padded name of len bytes.
func (b *book) apply(buf []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	overflowed := false
	for len(buf) >= unix.SizeofInotifyEvent {
		wd := int32(binary.NativeEndian.Uint32(buf[0:]))
		mask := binary.NativeEndian.Uint32(buf[4:])
		cookie := binary.NativeEndian.Uint32(buf[8:])
		end := unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(buf[12:]))
		if end > len(buf) {
			return // the kernel returns whole events; never seen
		}
		name := buf[unix.SizeofInotifyEvent:end]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if mask&unix.IN_Q_OVERFLOW != 0 {
			overflowed = true
		}
		b.event(wd, mask, cookie, name)
		buf = buf[end:]
	}
	if overflowed {
		b.signalLost()
	}
}

// event applies one event. b.mu is held. Lookups convert name without
// copying; only a file that starts being written costs an allocation, not
// every write to it.
func (b *book) event(wd int32, mask, cookie uint32, name []byte) {
	switch {
	case mask&unix.IN_Q_OVERFLOW != 0:
		// Which files were written or closed meanwhile is unknown. Keeping
		// the old marks would hold every file whose close was lost for
		// OpenWriterMax; dropping them leaves files judged by settle and
		// /proc until their next write marks them again.
		clear(b.writing)
		clear(b.moving)
		return
	case mask&unix.IN_IGNORED != 0:
		b.forget(wd) // the folder was deleted, unmounted or unwatched
		return
	case mask&unix.IN_ISDIR != 0 || len(name) == 0:
		return
	}
	if _, ok := b.dirs[wd]; !ok {
		return // queued before the folder was removed
	}
	switch {
	case mask&unix.IN_MODIFY != 0:
		b.mark(wd, name)
	case mask&(unix.IN_CLOSE_WRITE|unix.IN_DELETE) != 0:
		b.unmark(wd, name)
	case mask&unix.IN_MOVED_FROM != 0:
		if b.unmark(wd, name) {
			if len(b.moving) >= maxMoving {
				clear(b.moving)
			}
			b.moving[cookie] = struct{}{}
		}
	case mask&unix.IN_MOVED_TO != 0:
		if _, ok := b.moving[cookie]; ok {
			delete(b.moving, cookie)
			b.mark(wd, name)
		}
	}
}

func (b *book) mark(wd int32, name []byte) {
	names := b.writing[wd]
	if _, ok := names[string(name)]; ok {
		return
	}
	if names == nil {
		names = make(map[string]struct{})
		b.writing[wd] = names
	}
	names[string(name)] = struct{}{}
}

// unmark forgets a file and reports whether it was marked.
func (b *book) unmark(wd int32, name []byte) bool {
	names := b.writing[wd]
	if _, ok := names[string(name)]; !ok {
		return false
	}
	delete(names, string(name))
	if len(names) == 0 {
		delete(b.writing, wd)
	}
	return true
}
