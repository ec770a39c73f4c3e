package e2e

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// unitFile is the systemd unit the Linux packages install.
const unitFile = "../packaging/linux/odailies-uploader.service"

// unitService is what the packaged unit says about the process it starts:
// who it runs as and with which privileges.
type unitService struct {
	user       string
	group      string   // "": the user's primary group
	ambient    []string // AmbientCapabilities, e.g. CAP_NET_BIND_SERVICE; none when absent
	bounding   []string // CapabilityBoundingSet as written (a leading ~ inverts it)
	noNewPrivs bool
}

// readUnit parses the [Service] section of a unit file: comments,
// continuation lines, and list keys that an empty assignment resets, as
// systemd reads them.
func readUnit(t *testing.T, path string) unitService {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("read the packaged unit: %v", err)
	}
	defer f.Close()
	var u unitService
	section := ""
	sc := bufio.NewScanner(f)
	for line := ""; sc.Scan(); line = "" {
		line += strings.TrimSpace(sc.Text())
		for strings.HasSuffix(line, `\`) && sc.Scan() {
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(sc.Text())
		}
		switch {
		case line == "", line[0] == '#', line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
		case section == "Service":
			key, value, _ := strings.Cut(line, "=")
			u.set(strings.TrimSpace(key), strings.TrimSpace(value))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read the packaged unit: %v", err)
	}
	if u.user == "" {
		t.Fatalf("%s has no User=: the service would run as root", path)
	}
	return u
}

func (u *unitService) set(key, value string) {
	switch key {
	case "User":
		u.user = value
	case "Group":
		u.group = value
	case "AmbientCapabilities":
		u.ambient = appendList(u.ambient, value)
	case "CapabilityBoundingSet":
		u.bounding = appendList(u.bounding, value)
	case "NoNewPrivileges":
		switch strings.ToLower(value) {
		case "yes", "true", "on", "1":
			u.noNewPrivs = true
		default:
			u.noNewPrivs = false
		}
	}
}

// appendList adds a space-separated list; an empty value clears it.
func appendList(list []string, value string) []string {
	if value == "" {
		return nil
	}
	return append(list, strings.Fields(value)...)
}

// setpriv is the command prefix that starts a process as the unit does:
// its user and group, its capabilities and no others, no new privileges
// if it says so, and an environment like systemd's (HOME, USER, LOGNAME,
// SHELL, PATH), plus GORACE for the race detector.
func (u unitService) setpriv(group string) []string {
	args := []string{"setpriv", "--reuid=" + u.user, "--regid=" + group, "--init-groups"}
	inh := "-all"
	if len(u.ambient) > 0 {
		caps := capList(u.ambient, "+")
		inh += "," + caps
		args = append(args, "--ambient-caps=-all,"+caps)
	}
	args = append(args, "--inh-caps="+inh)
	if len(u.bounding) > 0 {
		args = append(args, "--bounding-set="+boundingSet(u.bounding))
	}
	if u.noNewPrivs {
		args = append(args, "--no-new-privs")
	}
	return append(args, "--reset-env", "--", "/usr/bin/env", "GORACE=halt_on_error=1")
}

// boundingSet turns CapabilityBoundingSet into setpriv's form: a list
// keeps only those; "~list" drops those.
func boundingSet(list []string) string {
	if strings.HasPrefix(list[0], "~") {
		list = append([]string{strings.TrimPrefix(list[0], "~")}, list[1:]...)
		return capList(list, "-")
	}
	return "-all," + capList(list, "+")
}

// capList spells systemd's CAP_NAME list as setpriv's +name,+name.
func capList(list []string, sign string) string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = sign + strings.ToLower(strings.TrimPrefix(strings.ToUpper(c), "CAP_"))
	}
	return strings.Join(out, ",")
}
