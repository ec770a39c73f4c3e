package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// This file reads, before bbolt maps the file, the pages bbolt's Open
// trusts without checking: the two meta pages and the freelist page the
// current one names. bbolt panics on a freelist page that is not one, and
// faults on one past the end of a truncated file; a panic inside bbolt's
// Open leaves its memory map and file lock in the process (nothing can
// close them), so the damage these pages show is found here first.
//
// The layout is bbolt's file format 2 (go.etcd.io/bbolt/internal/common,
// page.go and meta.go), unchanged since 2014. Integers are in the byte order
// of the machine that wrote them; every platform the uploader ships for is
// little-endian, as is binary.NativeEndian there.
//
//	page header  id u64, flags u16, count u16, overflow u32     (16 bytes)
//	meta         magic u32, version u32, pageSize u32, flags u32,
//	             root pgid u64, root sequence u64, freelist u64, pgid u64,
//	             txid u64, checksum u64 (FNV-64a of the 56 bytes before it)
//	freelist     count page ids (u64); a count of 0xFFFF means the real
//	             count is the first u64 and the ids follow it

const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	freelistFlag   = 0x10
	noFreelist     = ^uint64(0)
)

var ne = binary.NativeEndian

// boltMeta is the part of a meta page the checks need.
type boltMeta struct {
	pageSize                   int64
	root, freelist, pgid, txid uint64
}

// readMeta reads the meta page at off; ok is false if it is not a valid one.
func readMeta(f *os.File, off int64) (m boltMeta, ok bool) {
	b := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(b, off); err != nil {
		return m, false
	}
	b = b[pageHeaderSize:]
	h := fnv.New64a()
	_, _ = h.Write(b[:56])
	if ne.Uint32(b) != boltMagic || ne.Uint32(b[4:]) != boltVersion || h.Sum64() != ne.Uint64(b[56:]) {
		return m, false
	}
	m = boltMeta{pageSize: int64(ne.Uint32(b[8:])), root: ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]), pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	return m, m.pageSize >= 1024 && m.pageSize&(m.pageSize-1) == 0
}

// currentMeta finds the page size the way bbolt does (from meta 0, else
// from meta 1 at each possible page size, else the OS page size) and
// returns it with the valid meta of highest transaction ID, the one bbolt
// uses.
func currentMeta(f *os.File) (m boltMeta, ps int64, err error) {
	m0, ok0 := readMeta(f, 0)
	ps = m0.pageSize
	if !ok0 {
		ps = int64(os.Getpagesize())
		for try := int64(1024); try <= 1024<<14; try *= 2 {
			if m, ok := readMeta(f, try); ok && m.pageSize == try {
				ps = try
				break
			}
		}
	}
	m1, ok1 := readMeta(f, ps)
	ok1 = ok1 && m1.pageSize == ps
	switch {
	case ok0 && (!ok1 || m0.txid >= m1.txid):
		return m0, ps, nil
	case ok1:
		return m1, ps, nil
	}
	return boltMeta{}, ps, errors.New("neither meta page is valid")
}

// boltPageSize is the page size bbolt's Open will use for f.
func boltPageSize(f *os.File) int64 {
	_, ps, _ := currentMeta(f)
	return ps
}

// checkBoltFile checks the meta pages against the file's size and the
// freelist page they name. A nil error says nothing of the other pages.
func checkBoltFile(f *os.File, size int64) error {
	m, _, err := currentMeta(f)
	if err != nil {
		return err
	}
	ps := uint64(m.pageSize)
	if m.pgid > uint64(size)/ps {
		return fmt.Errorf("the file is %d bytes but its pages need %d: it was cut short", size, m.pgid*ps)
	}
	if m.root < 2 || m.root >= m.pgid {
		return fmt.Errorf("root page %d outside the file's %d pages", m.root, m.pgid)
	}
	if m.freelist == noFreelist {
		return nil // bbolt rebuilds it by walking the tree
	}
	if m.freelist < 2 || m.freelist >= m.pgid {
		return fmt.Errorf("freelist page %d outside the file's %d pages", m.freelist, m.pgid)
	}
	return checkFreelist(f, m)
}

// checkFreelist checks the freelist page: its type, its size and that
// every id it lists is a page of the file.
func checkFreelist(f *os.File, m boltMeta) error {
	ps := uint64(m.pageSize)
	h := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(h, int64(m.freelist*ps)); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read freelist page %d: %w", m.freelist, err)
	}
	id, flags, count, overflow := ne.Uint64(h), ne.Uint16(h[8:]), uint64(ne.Uint16(h[10:])), uint64(ne.Uint32(h[12:]))
	if id != m.freelist || flags != freelistFlag {
		return fmt.Errorf("freelist page %d is not a freelist page (id %d, flags %#x)", m.freelist, id, flags)
	}
	if m.freelist+overflow >= m.pgid {
		return fmt.Errorf("freelist page %d runs past the file's %d pages", m.freelist, m.pgid)
	}
	skip := uint64(0)
	if count == 0xFFFF {
		skip, count = 1, ne.Uint64(h[pageHeaderSize:])
	}
	room := ((overflow+1)*ps - pageHeaderSize) / 8
	if count > room-skip {
		return fmt.Errorf("freelist page %d lists %d ids, room for %d", m.freelist, count, room-skip)
	}
	ids := make([]byte, count*8)
	if _, err := f.ReadAt(ids, int64(m.freelist*ps+pageHeaderSize+skip*8)); err != nil {
		return fmt.Errorf("read freelist page %d: %w", m.freelist, err)
	}
	for i := 0; i < len(ids); i += 8 {
		if p := ne.Uint64(ids[i:]); p < 2 || p >= m.pgid {
			return fmt.Errorf("freelist page %d lists page %d, outside the file's %d pages", m.freelist, p, m.pgid)
		}
	}
	return nil
}
