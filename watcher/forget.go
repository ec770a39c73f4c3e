package watcher

// Files the caller removes on purpose (the after-upload actions: moved or
// deleted once uploaded). Told of them, the watcher forgets them at once,
// as if it had seen each go: a watched folder that empties because every
// file in it was moved is not taken for a volume gone away (Volumes that
// go away), in poll mode too, where no event says the files went one by
// one.

// forgetBuf bounds the paths waiting for Run; Forget never blocks (see
// there), and a few hundred cover a burst of actions.
const forgetBuf = 256

// Forget tells a running watcher that the files at paths (slash-separated,
// relative to the root, in NFC: as File.Path) are being removed on purpose.
// It returns at once when Run is not running.
func (w *Watcher) Forget(paths []string) {
	for _, p := range paths {
		select {
		case w.forget <- p:
		default:
			// Full: Run is busy or not running; the next scan forgets
			// what is gone anyway, and a folder emptied meanwhile is
			// at worst reported as possibly unplugged until it holds
			// a file again.
			return
		}
	}
}

// forgot handles one path from Forget.
func (l *loop) forgot(p string) { l.t.forget(nfc(p)) }
