package uploader

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// fileBodies hands the transport the file itself (inside a NopCloser,
// which net/http unwraps), so that on Linux the kernel sends it with
// sendfile and no byte is copied through user space. Progress is then the
// file offset, which Linux's sendfile advances as it goes.
//
// It is used only without a bandwidth limit (the limiter must see every
// chunk) and only on Linux: elsewhere sendfile moves the offset at the
// end only, which would look like a stall.
type fileBodies struct {
	f     *os.File // the job's file; never handed out itself
	prog  *progress
	total *atomic.Int64

	mu   sync.Mutex
	open []*os.File
}

func (u *Uploader) zeroCopy() bool { return u.lim == nil && runtime.GOOS == "linux" }

// next opens the job's file again, as a new file description with its own
// offset at 0: the same inode, even if the path was renamed meanwhile.
// Progress follows the new one (a 307/308, or a retry by the transport,
// sends the file from its start); what the old one had sent moves to the
// pool's total, so the rate does not go backwards.
func (z *fileBodies) next() (io.ReadCloser, error) {
	bf, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", z.f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("reopen the file for sending: %w", err)
	}
	z.mu.Lock()
	z.open = append(z.open, bf)
	z.mu.Unlock()
	if old := z.prog.file.Swap(bf); old != nil {
		if off, err := old.Seek(0, io.SeekCurrent); err == nil {
			z.total.Add(off)
		}
	}
	return io.NopCloser(bf), nil
}

// offset is how far the current body got; the watchdog polls it.
func (z *fileBodies) offset() int64 { return z.prog.bytesSent() }

// close records the bytes sent and closes every description it opened.
// The transport may still be sending from one after a PUT failed; it then
// gets an error, which is all it needs.
func (z *fileBodies) close() {
	sent := z.prog.bytesSent()
	z.prog.sent.Store(sent)
	z.prog.file.Store(nil)
	z.total.Add(sent)
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, bf := range z.open {
		bf.Close()
	}
	z.open = nil
}
