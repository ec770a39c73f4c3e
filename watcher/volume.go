package watcher

import (
	"fmt"
	"io/fs"
	"time"
)

// Watched dirs whose volume goes away. An unplugged drive or an unmounted
// share either takes the watched dir with it (it is missing: see
// dirMissing) or leaves an empty mount point behind, which reads as "every
// file deleted". The watcher forgets, in both cases, what is no longer
// there, so that it is emitted again when it is back; it is the caller that
// must not forget what it uploaded, and DirInfo.Suspect and Status.Error
// tell it when.

// dirMissing notes a watched dir that cannot be scanned. The first time,
// its files are forgotten (so they are emitted again when it is back) and
// its watches and problems dropped.
func (l *loop) dirMissing(d, why string) {
	if _, was := l.missing[d]; !was {
		l.dirGone(d)
	}
	l.missing[d] = why
	delete(l.away, d) // the missing text says more
}

// dirGone drops everything known below a watched dir.
func (l *loop) dirGone(d string) {
	l.unwatchUnder(d)
	nd := nfc(d)
	l.t.forgetUnder(nd)
	l.probs.dropUnder(nd)
}

// volume returns the device a watched dir is on. When it changed since the
// previous scan (a share remounted, another drive mounted there), the
// watches below it are dropped and added again by the walk: the old ones
// went with the old mount.
func (l *loop) volume(d string, fi fs.FileInfo) uint64 {
	dev := l.w.device(l.abs(d), fi)
	if prev, ok := l.devs[d]; ok && prev != 0 && dev != 0 && prev != dev {
		l.unwatchUnder(d)
	}
	return dev
}

// judge sets each DirInfo's Suspect from what the previous scans saw, and
// keeps the texts for Status.Error. held is, per dir, how many files the
// watcher knew of there before this scan when the scan found none. An
// empty dir stays suspect until it holds files again; a device change is
// suspect in the scan that sees it.
func (l *loop) judge(infos []DirInfo, held []int) {
	for i := range infos {
		in := &infos[i]
		prev, known := l.devs[in.Dir]
		l.devs[in.Dir] = in.Device
		if in.Files > 0 {
			delete(l.empty, in.Dir)
		} else if held[i] > 0 && l.empty[in.Dir] == 0 {
			l.empty[in.Dir] = held[i]
		}
		switch {
		case l.empty[in.Dir] > 0:
			in.Suspect = fmt.Sprintf("watched folder %s is empty (it held %s): is its drive unplugged or its share unmounted? nothing is forgotten meanwhile",
				in.Dir, plural(l.empty[in.Dir], "file"))
		case known && prev != 0 && in.Device != 0 && prev != in.Device:
			in.Suspect = fmt.Sprintf("watched folder %s is on another volume than at the last scan (device %#x, was %#x): was its drive swapped or its share remounted? nothing is forgotten meanwhile",
				in.Dir, in.Device, prev)
		}
		if in.Suspect != "" {
			l.away[in.Dir] = in.Suspect
		} else {
			delete(l.away, in.Dir)
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// rescanSoon asks for a full scan within a settle time (at least a
// second), however many times it is asked meanwhile.
func (l *loop) rescanSoon() {
	if soon := l.now().Add(max(l.w.opts.Settle, time.Second)); soon.Before(l.nextScan) {
		l.nextScan = soon
	}
}
