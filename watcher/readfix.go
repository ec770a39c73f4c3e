package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The texts of problems: what is wrong, then the fix, in words an admin
// can act on (DESIGN.md behaviour 15: the service runs as its own user).

// serviceUser is this process's user name, or its uid when it has none.
var serviceUser = sync.OnceValue(func() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if runtime.GOOS == "windows" {
		return "the service's account"
	}
	return strconv.Itoa(os.Geteuid())
})

// deniedTextOn describes a file or folder user u may not read on goos,
// with the per-OS command that lets it (Hint adds the folder above that
// refuses entry, if any).
func deniedTextOn(goos, u, abs string, dir bool) string {
	what, cmd := "file", ""
	if dir {
		what = "folder"
	}
	switch {
	case goos == "windows" && dir:
		cmd = fmt.Sprintf(`icacls "%s" /grant "%s:(OI)(CI)RX" /T`, abs, u)
	case goos == "windows":
		cmd = fmt.Sprintf(`icacls "%s" /grant "%s:R"`, abs, u)
	case goos == "darwin" && dir:
		cmd = fmt.Sprintf(`sudo chmod -R +a "user:%s allow list,search,read" %s`, u, shellQuote(abs))
	case goos == "darwin":
		cmd = fmt.Sprintf(`sudo chmod +a "user:%s allow read" %s`, u, shellQuote(abs))
	case dir:
		cmd = fmt.Sprintf("sudo setfacl -R -m u:%s:rX %s", u, shellQuote(abs))
	default:
		cmd = fmt.Sprintf("sudo setfacl -m u:%s:r %s", u, shellQuote(abs))
	}
	group := "add it to the file's group and make the file group-readable (chmod g+r)"
	if dir {
		group = "add it to the folder's group and make the folder and what it holds group-readable (chmod -R g+rX)"
	}
	if goos == "windows" {
		return fmt.Sprintf("permission denied: %s cannot read this %s; let it: %s", u, what, cmd)
	}
	return fmt.Sprintf("permission denied: the service's user (%s) cannot read this %s; let it: %s, or %s", u, what, cmd, group)
}

// readErrText describes a folder that could not be read for another
// reason than permission.
func readErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "cannot read this folder (" + err.Error() + "); it is read again at the next scan"
}

// clashText describes two or more names in one folder that are one name
// once normalised.
func clashText(nrel string, dir bool, spellings []string) string {
	what := "files"
	if dir {
		what = "folders"
	}
	forms := make([]string, 0, len(spellings))
	for _, s := range spellings {
		switch {
		case nfc(s) == s:
			forms = append(forms, "NFC")
		case nfd(s) == s:
			forms = append(forms, "NFD")
		default:
			forms = append(forms, "mixed")
		}
	}
	slices.Sort(forms) // "NFC" < "NFD" < "mixed"
	list := strings.Join(forms[:len(forms)-1], ", ") + " and " + forms[len(forms)-1]
	if len(spellings) > 2 {
		what = strconv.Itoa(len(spellings)) + " " + what
	} else {
		what = "two " + what
	}
	return fmt.Sprintf("%s are named %s once normalised (%s spellings): rename one; neither is uploaded meanwhile", what, nrel, list)
}

// shellQuote quotes a path for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
