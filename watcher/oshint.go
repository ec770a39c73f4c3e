package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"unicode/utf16"
)

// The OS's usual refusals, said plainly with the fix. Hint gives the text;
// the watcher puts it in the log and in Status (Error for a watched folder,
// Problems for what is below), and `why` prints the same words.

// Windows error numbers Hint knows (winerror.h), as syscall.Errno so that
// the texts can be tested on every OS.
const (
	winPathNotFound     = syscall.Errno(3)   // ERROR_PATH_NOT_FOUND
	winInvalidName      = syscall.Errno(123) // ERROR_INVALID_NAME
	winFilenameTooLong  = syscall.Errno(206) // ERROR_FILENAME_EXCED_RANGE
	winMaxPath          = 260                // MAX_PATH, in UTF-16 units, with the NUL
	winMaxComponent     = 255                // one name, on NTFS, exFAT, ReFS and SMB
	winLongPathFromHere = 248                // MAX_PATH - 12: where CreateDirectory already fails
)

// osEnv is what the texts depend on, so tests can give other values.
type osEnv struct {
	goos  string
	user  string // the service's user, as the admin's commands name it
	exe   string // this program, for Full Disk Access
	lstat func(string) error
}

var thisEnv = sync.OnceValue(func() osEnv {
	exe, err := os.Executable()
	if err != nil {
		exe = "odailies-uploader"
	}
	return osEnv{goos: runtime.GOOS, user: serviceUser(), exe: exe, lstat: func(p string) error {
		_, err := os.Lstat(p)
		return err
	}}
})

// Hint is the plain fix for err, an error the OS gave this process for abs
// (a folder when dir is true), or "" when err is none of these:
//   - macOS "operation not permitted" (EPERM): its privacy protection keeps
//     programs out of Desktop, Documents, Downloads, iCloud Drive and
//     external or network volumes until they have Full Disk Access; the
//     text names this binary, which must be given it.
//   - permission denied (EACCES; access denied on Windows): the service's
//     user may not read abs; the text names the user and the command (the
//     README's setfacl line on Linux, chmod +a on macOS, icacls on Windows),
//     and, when a folder above abs may not be entered, that folder too.
//   - Windows paths too long: over 260 characters, or a name over 255.
func Hint(abs string, dir bool, err error) string {
	return hintOn(thisEnv(), abs, dir, err)
}

// hint is Hint for the OS w's tests may name.
func (w *Watcher) hint(abs string, dir bool, err error) string {
	return hintOn(w.env(), abs, dir, err)
}

// watchedHint is the hint for watched folder abs, which may be refused
// because the root itself may not be entered.
func (w *Watcher) watchedHint(abs string, err error) string {
	return rootHint(w.env(), w.root, abs, err)
}

func (w *Watcher) env() osEnv {
	if w.osEnv != nil {
		return *w.osEnv
	}
	return thisEnv()
}

func hintOn(env osEnv, abs string, dir bool, err error) string {
	switch {
	case err == nil:
		return ""
	case env.goos == "darwin" && errors.Is(err, syscall.EPERM):
		return fullDiskAccessText(env, abs)
	case env.goos == "windows":
		if h := longPathText(abs, err); h != "" {
			return h
		}
	}
	if !errors.Is(err, fs.ErrPermission) {
		return ""
	}
	text := deniedTextOn(env.goos, env.user, abs, dir)
	// A file's folder was read, so only a folder can sit behind one that
	// may not be entered.
	if !dir {
		return text
	}
	if b := searchBlocker(env, abs); b != "" {
		text += "; first let it into " + b + ", which it may not enter: " + searchCommand(env, b)
	}
	return text
}

// rootHint is Hint for a watched folder abs of root: when it is the root
// itself the service's user may not enter, the README's one line for the
// whole root (and its default ACL for what comes later) says it all.
func rootHint(env osEnv, root, abs string, err error) string {
	if env.goos != "windows" && !(env.goos == "darwin" && errors.Is(err, syscall.EPERM)) &&
		errors.Is(err, fs.ErrPermission) && searchBlocker(env, abs) == root {
		return rootDeniedText(env, root)
	}
	return hintOn(env, abs, true, err)
}

func rootDeniedText(env osEnv, root string) string {
	q := shellQuote(root)
	if env.goos == "darwin" {
		return fmt.Sprintf(`permission denied: the service's user (%s) may not enter the watch root %s; let it: sudo chmod -R +a "user:%s allow list,search,read,file_inherit,directory_inherit" %s`,
			env.user, root, env.user, q)
	}
	return fmt.Sprintf("permission denied: the service's user (%s) may not enter the watch root %s; let it: sudo setfacl -R -m u:%s:rX %s, and for what comes later sudo setfacl -R -d -m u:%s:rX %s",
		env.user, root, env.user, q, env.user, q)
}

// fullDiskAccessText is the macOS privacy protection's fix.
func fullDiskAccessText(env osEnv, abs string) string {
	where := "a protected folder (Desktop, Documents, Downloads, iCloud Drive)"
	if strings.HasPrefix(abs, "/Volumes/") {
		where = "an external or network volume"
	}
	return fmt.Sprintf("operation not permitted: macOS keeps programs out of %s until they have Full Disk Access; "+
		"give it to %s (System Settings → Privacy & Security → Full Disk Access → +, Cmd-Shift-G, type the path), "+
		"then restart the service: sudo launchctl kickstart -k system/odailies-uploader", where, env.exe)
}

// longPathText explains a Windows refusal of a long path or a long name.
func longPathText(abs string, err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	if name := longestName(abs); utf16Len(name) > winMaxComponent && (errno == winInvalidName || errno == winFilenameTooLong) {
		return fmt.Sprintf("the name %q is %d characters, over the %d a Windows file system allows in one name: rename it",
			shorten(name), utf16Len(name), winMaxComponent)
	}
	n := utf16Len(abs)
	if n < winLongPathFromHere || (errno != winFilenameTooLong && errno != winPathNotFound) {
		return ""
	}
	return fmt.Sprintf("this path is %d characters, over Windows' %d-character limit (MAX_PATH), and Windows refused it: "+
		`turn on long paths (Group Policy: Computer Configuration → Administrative Templates → System → Filesystem → `+
		`Enable Win32 long paths, or LongPathsEnabled = 1 in HKLM\SYSTEM\CurrentControlSet\Control\FileSystem), `+
		"then restart the service; or shorten the folder names", n, winMaxPath)
}

// searchBlocker is the deepest folder above abs that this process may not
// enter (an EACCES from looking at what it holds), "" when there is none
// or on Windows, where entering a folder is not checked for anyone.
func searchBlocker(env osEnv, abs string) string {
	if env.goos == "windows" || env.lstat == nil || !filepath.IsAbs(abs) {
		return ""
	}
	// From the top: the first path that cannot be looked at sits in the
	// folder that refuses.
	var p string
	for _, part := range strings.Split(filepath.Clean(abs), string(filepath.Separator)) {
		if part == "" {
			p = string(filepath.Separator)
			continue
		}
		next := filepath.Join(p, part)
		if err := env.lstat(next); errors.Is(err, fs.ErrPermission) {
			return p // even for abs itself: its command cannot reach it through p
		}
		p = next
	}
	return ""
}

// searchCommand lets the service's user enter folder b, and nothing more.
func searchCommand(env osEnv, b string) string {
	if env.goos == "darwin" {
		return fmt.Sprintf(`sudo chmod +a "user:%s allow search" %s`, env.user, shellQuote(b))
	}
	return fmt.Sprintf("sudo setfacl -m u:%s:x %s", env.user, shellQuote(b))
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// longestName is the longest element of a Windows or slash path.
func longestName(p string) string {
	var longest string
	for _, part := range strings.FieldsFunc(p, func(r rune) bool { return r == '\\' || r == '/' }) {
		if utf16Len(part) > utf16Len(longest) {
			longest = part
		}
	}
	return longest
}

// shorten keeps a long name readable in a log line.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	return string(r[:40]) + "…" + string(r[len(r)-15:])
}
