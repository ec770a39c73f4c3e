package watcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// book is the inotify half of the Linux open-writer check: on an inotify
// instance of its own, watching the same folders as the event source, it
// keeps which files were modified (IN_MODIFY) and not closed after writing
// since (IN_CLOSE_WRITE). The kernel reports both whoever writes, so the
// service user sees a root render's file as still being written.
//
// fsnotify v1.10.1 cannot do this: its close-write operation and the option
// to ask for it are unexported. A second instance costs one descriptor and a
// second watch per folder; one goroutine blocks in the runtime poller on its
// reads, so it adds no wake-ups while nothing is written.
type book struct {
	fd   int      // the inotify descriptor, used while !closed
	file *os.File // owns fd; closing it ends the reader's Read
	done chan struct{}
	lost chan struct{} // a token when events were lost (overflow, read error)

	mu      sync.Mutex
	closed  bool
	failed  error                         // the reader stopped on this error
	wds     map[string]int32              // watched folder (absolute, on disk) → watch
	dirs    map[int32]string              // watch → folder
	writing map[int32]map[string]struct{} // watch → names modified and not closed since
	moving  map[uint32]struct{}           // rename cookies of files being written
}

// bookMask: writes and closes after writing, renames (to carry a file being
// written to its new name) and deletions (to forget it). IN_EXCL_UNLINK
// drops events for files already unlinked but still open.
const bookMask = unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_DELETE | unix.IN_ONLYDIR | unix.IN_EXCL_UNLINK

// maxMoving bounds the cookies kept for renames out of the tree, whose
// IN_MOVED_TO never comes.
const maxMoving = 256

var errBookClosed = errors.New("open-writer inotify closed")

// bookHelp says what to do when the bookkeeping could not start or keep up.
func bookHelp(err error) string {
	switch {
	case errors.Is(err, unix.ENOSPC):
		return "raise fs.inotify.max_user_watches (`sudo sysctl fs.inotify.max_user_watches=524288`, " +
			"persisted in /etc/sysctl.d/): the open-writer check takes a second watch per folder; or " + raiseSettle
	case errors.Is(err, unix.EMFILE):
		return "raise fs.inotify.max_user_instances (`sudo sysctl fs.inotify.max_user_instances=1024`) " +
			"or LimitNOFILE= in the systemd unit; or " + raiseSettle
	}
	return raiseSettle
}

func newBook() (*book, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("start open-writer inotify: %w", err)
	}
	b := emptyBook()
	b.fd, b.file = fd, os.NewFile(uintptr(fd), "inotify") // non-blocking: reads wait in the poller
	go b.read()
	return b, nil
}

// emptyBook is a book's state without a descriptor or reader.
func emptyBook() *book {
	return &book{
		fd: -1, done: make(chan struct{}), lost: make(chan struct{}, 1),
		wds: make(map[string]int32), dirs: make(map[int32]string),
		writing: make(map[int32]map[string]struct{}), moving: make(map[uint32]struct{}),
	}
}

// add watches one folder. A folder renamed keeps its watch (the kernel
// returns the same one), so what is known of its files follows it.
func (b *book) add(dir string) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errBookClosed
	}
	n, err := unix.InotifyAddWatch(b.fd, dir, bookMask)
	if err != nil {
		return fmt.Errorf("watch %s for writers: %w", dir, err)
	}
	wd := int32(n)
	if old, ok := b.dirs[wd]; ok && old != dir {
		delete(b.wds, old) // renamed from there
	}
	if old, ok := b.wds[dir]; ok && old != wd {
		b.forget(old) // another folder now has this name
		_, _ = unix.InotifyRmWatch(b.fd, uint32(old))
	}
	b.wds[dir], b.dirs[wd] = wd, dir
	return nil
}

// remove stops watching a folder, if it is watched under that name.
func (b *book) remove(dir string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	wd, ok := b.wds[dir]
	if !ok || b.closed {
		return
	}
	b.forget(wd)
	_, _ = unix.InotifyRmWatch(b.fd, uint32(wd)) // the kernel may have dropped it already
}

// forget drops a watch and what is known under it. b.mu is held.
func (b *book) forget(wd int32) {
	delete(b.wds, b.dirs[wd])
	delete(b.dirs, wd)
	delete(b.writing, wd)
}

// writingAt reports whether the file at abs (absolute, on disk) was
// modified and has not been closed after writing since.
func (b *book) writingAt(abs string) bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	wd, ok := b.wds[filepath.Dir(abs)]
	if !ok {
		return false
	}
	_, ok = b.writing[wd][filepath.Base(abs)]
	return ok
}

// lostC yields a value after events were lost; nil (never ready) without a
// book.
func (b *book) lostC() <-chan struct{} {
	if b == nil {
		return nil
	}
	return b.lost
}

// err is why the reader stopped, or nil while it reads.
func (b *book) err() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed
}

// close releases the descriptor and waits for the reader to end.
func (b *book) close() {
	if b == nil {
		return
	}
	b.mu.Lock()
	already := b.closed
	b.closed = true
	b.mu.Unlock()
	if !already {
		_ = b.file.Close()
		<-b.done
	}
}

// read hands every batch of events to apply until the book is closed. Any
// other read error ends the bookkeeping, which is then lost.
func (b *book) read() {
	defer close(b.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := b.file.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				b.fail(fmt.Errorf("read open-writer inotify: %w", err))
			}
			return
		}
		b.apply(buf[:n])
	}
}

func (b *book) fail(err error) {
	b.mu.Lock()
	b.failed = err
	clear(b.writing)
	b.mu.Unlock()
	b.signalLost()
}

func (b *book) signalLost() {
	select {
	case b.lost <- struct{}{}:
	default: // one token is enough: the loop rescans once
	}
}
