package watcher

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// The OS messages people hit, each from the error the OS gives, on the OS
// that gives it (injected: the texts depend on GOOS, the user and the
// binary, never on the machine the test runs on).
func TestHint(t *testing.T) {
	denyBelow := func(blocker string) func(string) error {
		return func(p string) error {
			if strings.HasPrefix(p, blocker+"/") {
				return &fs.PathError{Op: "lstat", Path: p, Err: syscall.EACCES}
			}
			return nil
		}
	}
	long := `C:\Dailies\` + strings.Repeat(`Show Reel 2026 Day 12 Camera A\`, 9) + "A001C003.mov"
	tooLongName := `C:\Dailies\` + strings.Repeat("x", 300) + ".mov"
	mac := osEnv{goos: "darwin", user: "root", exe: "/usr/local/bin/odailies-uploader"}
	linux := osEnv{goos: "linux", user: "odailies-uploader", lstat: denyBelow("/srv/dailies")}
	windows := osEnv{goos: "windows", user: "SYSTEM"}
	tests := []struct {
		name string
		env  osEnv
		abs  string
		dir  bool
		err  error
		want []string // in the text, in order; none: no hint
	}{
		{"macOS protected folder", mac, "/Users/dit/Desktop/SHOW/_graded", true,
			&fs.PathError{Op: "open", Path: "/Users/dit/Desktop/SHOW/_graded", Err: syscall.EPERM},
			[]string{"operation not permitted", "a protected folder (Desktop, Documents, Downloads", "Full Disk Access",
				"give it to /usr/local/bin/odailies-uploader", "Privacy & Security", "sudo launchctl kickstart -k system/odailies-uploader"}},
		{"macOS external volume", mac, "/Volumes/RAID/SHOW/_graded", true,
			&fs.PathError{Op: "lstat", Path: "/Volumes/RAID/SHOW/_graded", Err: syscall.EPERM},
			[]string{"an external or network volume", "Full Disk Access", "/usr/local/bin/odailies-uploader"}},
		{"macOS plain permission is not Full Disk Access", mac, "/Users/dit/SHOW/_graded", true,
			&fs.PathError{Op: "open", Path: "/Users/dit/SHOW/_graded", Err: syscall.EACCES},
			[]string{"permission denied", `sudo chmod -R +a "user:root allow list,search,read" /Users/dit/SHOW/_graded`}},
		{"Linux root the service user may not enter", linux, "/srv/dailies/_graded", true,
			&fs.PathError{Op: "lstat", Path: "/srv/dailies/_graded", Err: syscall.EACCES},
			[]string{"the service's user (odailies-uploader) cannot read this folder",
				"sudo setfacl -R -m u:odailies-uploader:rX /srv/dailies/_graded",
				"first let it into /srv/dailies", "sudo setfacl -m u:odailies-uploader:x /srv/dailies"}},
		{"Linux folder it may enter but not read", osEnv{goos: "linux", user: "odailies-uploader", lstat: denyBelow("/nowhere")},
			"/srv/dailies/_graded/day 2", true,
			&fs.PathError{Op: "open", Path: "/srv/dailies/_graded/day 2", Err: syscall.EACCES},
			[]string{"sudo setfacl -R -m u:odailies-uploader:rX '/srv/dailies/_graded/day 2'", "chmod -R g+rX"}},
		{"Linux EPERM is a permission problem, not macOS's", linux, "/srv/dailies/_graded/a.mov", false,
			&fs.PathError{Op: "open", Path: "/srv/dailies/_graded/a.mov", Err: syscall.EPERM},
			[]string{"cannot read this file", "sudo setfacl -m u:odailies-uploader:r /srv/dailies/_graded/a.mov"}},
		{"Windows path over 260", windows, long, false, &fs.PathError{Op: "open", Path: long, Err: syscall.Errno(206)},
			[]string{"this path is 302 characters, over Windows' 260-character limit", "Enable Win32 long paths",
				`LongPathsEnabled = 1 in HKLM\SYSTEM\CurrentControlSet\Control\FileSystem`, "restart the service", "shorten"}},
		{"Windows long path not found", windows, long, true, &fs.PathError{Op: "open", Path: long, Err: syscall.Errno(3)},
			[]string{"302 characters", "Enable Win32 long paths"}},
		{"Windows name over 255", windows, tooLongName, false, &fs.PathError{Op: "open", Path: tooLongName, Err: syscall.Errno(123)},
			[]string{"xxxx…xxx", "is 304 characters, over the 255 a Windows file system allows in one name: rename it"}},
		{"Windows access denied", windows, `C:\Dailies\_graded`, true, &fs.PathError{Op: "open", Path: `C:\Dailies\_graded`, Err: fs.ErrPermission},
			[]string{`icacls "C:\Dailies\_graded" /grant "SYSTEM:(OI)(CI)RX" /T`}},
		{"Windows short path not found is no hint", windows, `C:\Dailies\_graded`, true,
			&fs.PathError{Op: "open", Path: `C:\Dailies\_graded`, Err: syscall.Errno(3)}, nil},
		{"an I/O error is no hint", linux, "/srv/dailies/_graded", true, &fs.PathError{Op: "open", Err: syscall.EIO}, nil},
		{"not there is no hint", mac, "/Volumes/RAID/_graded", true, &fs.PathError{Op: "lstat", Err: fs.ErrNotExist}, nil},
		{"no error", linux, "/srv", true, nil, nil},
		{"a wrapped error is still seen", mac, "/Volumes/RAID/_graded", true,
			errors.Join(errors.New("scan"), &fs.PathError{Op: "open", Err: syscall.EPERM}), []string{"Full Disk Access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hintOn(tt.env, tt.abs, tt.dir, tt.err)
			if len(tt.want) == 0 {
				if got != "" {
					t.Fatalf("hint %q, want none", got)
				}
				return
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("hint %q\ndoes not say (after what came before) %q", got, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestSearchBlocker(t *testing.T) {
	deny := map[string]bool{"/home/alice/dailies": true}
	env := osEnv{goos: "linux", lstat: func(p string) error {
		if deny[p] {
			return syscall.EACCES
		}
		return nil
	}}
	for abs, want := range map[string]string{
		"/home/alice/dailies/_graded": "/home/alice",
		"/home/alice/dailies":         "/home/alice", // abs itself cannot be reached
		"/srv/dailies/_graded":        "",
		"relative/path":               "",
	} {
		if got := searchBlocker(env, abs); got != want {
			t.Errorf("searchBlocker(%s) = %q, want %q", abs, got, want)
		}
	}
	env.goos = "windows"
	if got := searchBlocker(env, "/home/alice/dailies/_graded"); got != "" {
		t.Errorf("on Windows (no traverse check) searchBlocker = %q", got)
	}
}

func TestRootHint(t *testing.T) {
	deny := func(p string) error {
		if strings.HasPrefix(p, "/srv/dailies/") {
			return syscall.EACCES
		}
		return nil
	}
	eacces := &fs.PathError{Op: "lstat", Err: syscall.EACCES}
	linux := osEnv{goos: "linux", user: "odailies-uploader", lstat: deny}
	got := rootHint(linux, "/srv/dailies", "/srv/dailies/_graded", eacces)
	want := "permission denied: the service's user (odailies-uploader) may not enter the watch root /srv/dailies; " +
		"let it: sudo setfacl -R -m u:odailies-uploader:rX /srv/dailies, and for what comes later sudo setfacl -R -d -m u:odailies-uploader:rX /srv/dailies"
	if got != want {
		t.Errorf("Linux root:\n got %q\nwant %q", got, want)
	}
	mac := osEnv{goos: "darwin", user: "_odailies", exe: "/usr/local/bin/odailies-uploader", lstat: deny}
	if got := rootHint(mac, "/srv/dailies", "/srv/dailies/_graded", eacces); !strings.Contains(got, `sudo chmod -R +a "user:_odailies allow list,search,read,file_inherit,directory_inherit" /srv/dailies`) {
		t.Errorf("macOS root: %q", got)
	}
	if got := rootHint(mac, "/srv/dailies", "/srv/dailies/_graded", &fs.PathError{Op: "lstat", Err: syscall.EPERM}); !strings.Contains(got, "Full Disk Access") {
		t.Errorf("macOS privacy on the root: %q", got)
	}
	// The root may be entered, the watched folder not read: its own line.
	if got := rootHint(linux, "/elsewhere", "/elsewhere/_graded", eacces); !strings.Contains(got, "sudo setfacl -R -m u:odailies-uploader:rX /elsewhere/_graded") || strings.Contains(got, "watch root") {
		t.Errorf("watched folder itself: %q", got)
	}
}
