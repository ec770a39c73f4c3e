// Package fileid names a file by what the file system knows it by, not by
// its path: the device and inode number on Unix, the volume serial number
// and file index on Windows. Two paths with the same ID are the same file;
// a file replaced at its path (a new render written beside and renamed
// over, even with the same size and modification time) has another ID.
//
// The ID is what os.SameFile compares, in a form that can be stored: the
// after-upload actions keep the ID of the file the uploader opened and
// compare it with the file at the path before moving or deleting it, also
// after a restart.
//
// # Hazards
//
//   - An inode number can be reused once its file is deleted: a file
//     deleted and another created may get the same ID. Size and
//     modification time are compared as well by every caller.
//   - Some network file systems make inode numbers up per mount (SMB
//     without Unix extensions, some FUSE file systems): after a remount the
//     same file may have another ID. It then counts as replaced, which is
//     the safe side (the file is left alone).
//   - Where the OS gives no ID (Plan 9, wasm), Of returns the zero ID and
//     ok false; callers must treat that as "identity unknown", never as a
//     match.
package fileid

import (
	"encoding/binary"
	"fmt"
	"os"
)

// ID is a file's identity on one machine. The zero ID means unknown.
type ID struct {
	Dev uint64 // st_dev; the volume serial number on Windows
	Ino uint64 // st_ino; the 64-bit file index on Windows
}

// IsZero reports whether the ID is unknown.
func (id ID) IsZero() bool { return id == ID{} }

// String is "dev:ino" in hex, for logs.
func (id ID) String() string { return fmt.Sprintf("%x:%x", id.Dev, id.Ino) }

// Bytes is the ID's stored form: 16 bytes, big-endian; nil for the zero ID.
func (id ID) Bytes() []byte {
	if id.IsZero() {
		return nil
	}
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), id.Dev)
	return binary.BigEndian.AppendUint64(b, id.Ino)
}

// FromBytes reads what Bytes wrote; anything but 16 bytes is the zero ID.
func FromBytes(b []byte) ID {
	if len(b) != 16 {
		return ID{}
	}
	return ID{Dev: binary.BigEndian.Uint64(b), Ino: binary.BigEndian.Uint64(b[8:])}
}

// Of returns the identity of an open file, with its FileInfo (fstat).
// ok is false when the OS gives no identity.
func Of(f *os.File) (id ID, fi os.FileInfo, ok bool, err error) {
	fi, err = f.Stat()
	if err != nil {
		return ID{}, nil, false, err
	}
	id, ok = of(f, fi)
	return id, fi, ok, nil
}

// Stat returns the identity and FileInfo of the file at path, not
// following a symbolic link (lstat). ok is false when the OS gives no
// identity, or the path is not a regular file.
func Stat(path string) (id ID, fi os.FileInfo, ok bool, err error) {
	fi, err = os.Lstat(path)
	if err != nil {
		return ID{}, nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return ID{}, fi, false, nil
	}
	id, ok, err = statID(path, fi)
	return id, fi, ok, err
}
