package config

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/odailies/odailies-uploader/uploader"
)

// The after-upload actions of a show (watch.after_upload, per show).
const (
	AfterUploadKeep   = "keep"   // the file stays where it is (the default)
	AfterUploadMove   = "move"   // moved under watch.after_upload_dir at the same relative path
	AfterUploadDelete = "delete" // deleted; only with upload.verify = "md5"

	// DefaultAfterUploadDir is watch.after_upload_dir's default, under
	// the root.
	DefaultAfterUploadDir = "_uploaded"
)

// buildAfterUpload checks a show's after_upload and after_upload_dir
// into w. A relative after_upload_dir is under the root (not the config's
// folder): "_uploaded" is <root>/_uploaded. Moving into a watched folder
// would upload every file again, so the folder must be outside every
// watched one, and hold none of them.
func (l *loader) buildAfterUpload(rw rawWatch, w *WatchConfig) {
	w.AfterUpload = strings.TrimSpace(rw.AfterUpload)
	switch w.AfterUpload {
	case AfterUploadKeep, AfterUploadMove, AfterUploadDelete:
	default:
		l.errf("watch.after_upload", "%q is not an action: use %q (the default), %q or %q",
			rw.AfterUpload, AfterUploadKeep, AfterUploadMove, AfterUploadDelete)
	}
	dir := strings.TrimSpace(rw.AfterUploadDir)
	if dir == "" {
		dir = DefaultAfterUploadDir
	}
	if w.Root == "" {
		return // the root's own error says what to fix
	}
	w.AfterUploadDir = resolvePath(w.Root, dir)
	if w.AfterUpload != AfterUploadMove {
		return
	}
	if within(w.Root, w.AfterUploadDir) {
		l.errf("watch.after_upload_dir", "%s holds the watch root %s: give a folder outside the watched folders, e.g. %q",
			w.AfterUploadDir, w.Root, DefaultAfterUploadDir)
		return
	}
	for _, d := range w.Dirs {
		watched := filepath.Join(w.Root, filepath.FromSlash(d))
		if within(w.AfterUploadDir, watched) || within(watched, w.AfterUploadDir) {
			l.errf("watch.after_upload_dir", "%s is inside or holds the watched folder %s: files moved there would be uploaded again; give a folder outside watch.dirs, e.g. %q",
				w.AfterUploadDir, d, DefaultAfterUploadDir)
			return
		}
	}
}

// checkAfterUploadVerify refuses delete without upload.verify = "md5":
// a file is deleted only once the storage confirmed its bytes.
func (l *loader) checkAfterUploadVerify(w WatchConfig, u UploadConfig) {
	if w.AfterUpload == AfterUploadDelete && u.Verify != uploader.VerifyMD5 {
		where := ""
		if line := definedLine(l.data, "upload.verify"); line > 0 {
			where = fmt.Sprintf(" on line %d", line)
		}
		l.errf("watch.after_upload", "%q needs upload.verify = %q (it is %q%s): a file is deleted only once the storage has confirmed its MD5; set upload.verify = %q or use after_upload = %q",
			AfterUploadDelete, uploader.VerifyMD5, u.Verify, where, uploader.VerifyMD5, AfterUploadMove)
	}
}
