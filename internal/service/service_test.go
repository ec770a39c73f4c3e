package service

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	service "github.com/kardianos/service"

	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/internal/config/configtest"
)

var updateServiceFiles = flag.Bool("update-service-files", false,
	"rewrite packaging/linux/*.service and packaging/darwin/*.plist from what install writes")

// serviceTestConfig loads a valid config whose [service] table is extra.
func serviceTestConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	body := configtest.Body(configtest.Root(t)) + "[service]\n" + extra
	cfg, _, err := config.Load(configtest.Write(t, t.TempDir(), body), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// assertPackagedFile checks that a file the packages ship is what install
// writes; with -update-service-files it rewrites the file instead.
func assertPackagedFile(t *testing.T, rel, want string) {
	t.Helper()
	p := filepath.Join("..", "..", "packaging", filepath.FromSlash(rel))
	if *updateServiceFiles {
		if err := os.WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s differs from what install writes (go test -run Service -update-service-files rewrites it):\n--- shipped\n%s\n--- install\n%s", rel, got, want)
	}
	if strings.Contains(want, "{{") {
		t.Errorf("%s would be changed by kardianos's template engine", rel)
	}
}

func TestServiceUnitIsTheOneTheLinuxPackagesShip(t *testing.T) {
	cfg := serviceTestConfig(t, "user = \"odailies-uploader\"\n")
	sc, err := serviceConfigFor(cfg, "/etc/odailies-uploader/config.toml",
		serviceHost{goos: "linux", exe: "/usr/bin/odailies-uploader"})
	if err != nil {
		t.Fatal(err)
	}
	unit, _ := sc.Option["SystemdScript"].(string)
	assertPackagedFile(t, "linux/odailies-uploader.service", unit)
}

func TestServicePlistIsTheOneTheMacTarballShips(t *testing.T) {
	cfg := serviceTestConfig(t, "")
	cfg.Log.File = config.DefaultLogFileOn("darwin")
	sc, err := serviceConfigFor(cfg, "/Library/Application Support/odailies-uploader/config.toml",
		serviceHost{goos: "darwin", exe: "/usr/local/bin/odailies-uploader"})
	if err != nil {
		t.Fatal(err)
	}
	plist, _ := sc.Option["LaunchdConfig"].(string)
	assertPackagedFile(t, "darwin/odailies-uploader.plist", plist)
}

func TestServiceConfigFields(t *testing.T) {
	cfg := serviceTestConfig(t, "name = \"ingest-a\"\ndisplay_name = \"Ingest A\"\n"+
		"description = \"Cart A uploads\"\nuser = \"dit\"\n")
	t.Chdir(t.TempDir())
	sc, err := serviceConfigFor(cfg, "conf/config.toml", serviceHost{goos: "linux", exe: "/opt/o/odailies-uploader"})
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{"run", "-config", filepath.Join(wd, "conf", "config.toml")}
	if strings.Join(sc.Arguments, "|") != strings.Join(wantArgs, "|") {
		t.Errorf("Arguments = %q, want %q", sc.Arguments, wantArgs)
	}
	got := []string{sc.Name, sc.DisplayName, sc.Description, sc.UserName, sc.Executable}
	want := []string{"ingest-a", "Ingest A", "Cart A uploads", "dit", "/opt/o/odailies-uploader"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("names = %q, want %q", got, want)
	}
	unit, _ := sc.Option["SystemdScript"].(string)
	for _, line := range []string{"ExecStart=/opt/o/odailies-uploader run -config " + wantArgs[2], "User=dit", "Description=Cart A uploads"} {
		if !strings.Contains(unit, line+"\n") {
			t.Errorf("unit lacks %q:\n%s", line, unit)
		}
	}
}

func TestServiceOptions(t *testing.T) {
	cfg := serviceTestConfig(t, "user = \"dit\"\n")
	sc, err := serviceConfigFor(cfg, cfg.Path, serviceHost{goos: "windows", exe: "/x/odailies-uploader.exe"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Restart": "on-failure", "LimitNOFILE": 65536, "KeepAlive": true, "RunAtLoad": true,
		"OnFailure": "restart", "DelayedAutoStart": true,
	}
	for k, v := range want {
		if sc.Option[k] != v {
			t.Errorf("Option[%s] = %v (%T), want %v (%T)", k, sc.Option[k], sc.Option[k], v, v)
		}
	}
	if sc.UserName != "" {
		t.Errorf("Windows service runs as %q, want LocalSystem", sc.UserName)
	}
	for _, k := range []string{"SystemdScript", "LaunchdConfig"} {
		if _, ok := sc.Option[k]; ok {
			t.Errorf("Windows service has %s", k)
		}
	}
}

func TestServiceConfigOfThisProgramIsAbsolute(t *testing.T) {
	cfg := serviceTestConfig(t, "")
	t.Chdir(t.TempDir())
	sc, err := serviceConfig(cfg, "config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(sc.Executable) || !filepath.IsAbs(sc.Arguments[2]) {
		t.Errorf("Executable %q, config %q: want absolute paths", sc.Executable, sc.Arguments[2])
	}
}

func TestServiceConfigRefusesWhatBreaksTheUnit(t *testing.T) {
	for name, change := range map[string]func(*config.Config){
		"braces":  func(c *config.Config) { c.Service.User = "dit{{Path}}" },
		"newline": func(c *config.Config) { c.Service.Description = "uploads\nExecStartPre=/bin/sh" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := serviceTestConfig(t, "")
			change(cfg)
			for _, goos := range []string{"linux", "darwin"} {
				if _, err := serviceConfigFor(cfg, cfg.Path, serviceHost{goos: goos, exe: "/usr/bin/x"}); err == nil {
					t.Errorf("%s: accepted", goos)
				}
			}
		})
	}
}

func TestServiceStateText(t *testing.T) {
	for _, tc := range []struct {
		st   service.Status
		err  error
		want string
	}{
		{service.StatusRunning, nil, "running"},
		{service.StatusStopped, nil, "stopped"},
		{service.StatusUnknown, service.ErrNotInstalled, "not installed"},
		{service.StatusUnknown, errors.New("service in failed state"), "unknown (service in failed state)"},
		{service.StatusUnknown, nil, "unknown (no answer from the service manager)"},
	} {
		if got := stateText(tc.st, tc.err); got != tc.want {
			t.Errorf("stateText(%v, %v) = %q, want %q", tc.st, tc.err, got, tc.want)
		}
	}
}

func TestServiceStateOfAServiceNeverInstalled(t *testing.T) {
	cfg := serviceTestConfig(t, "name = \"odailies-uploader-never-installed-7f3a\"\n")
	got := State(cfg)
	if got != "not installed" && !strings.HasPrefix(got, "unknown (") {
		t.Errorf("State = %q, want not installed or unknown (…)", got)
	}
}

func TestStopLadderIsInOrderAndMatchesTheServiceFiles(t *testing.T) {
	ladder := []struct {
		name string
		d    time.Duration
	}{{"StopGrace", StopGrace}, {"StopTimeout", StopTimeout}, {"HardStop", HardStop}, {"UnitStopTimeout", UnitStopTimeout}}
	for i := 1; i < len(ladder); i++ {
		if ladder[i-1].d >= ladder[i].d {
			t.Errorf("%s (%s) must be shorter than %s (%s)", ladder[i-1].name, ladder[i-1].d, ladder[i].name, ladder[i].d)
		}
	}
	if StopTimeout >= 5*time.Second {
		t.Errorf("StopTimeout %s: Windows allows a service about 5s at shutdown", StopTimeout)
	}
	secs := fmt.Sprint(int(UnitStopTimeout / time.Second))
	for file, want := range map[string]string{
		"linux/odailies-uploader.service": "TimeoutStopSec=" + secs + "\n",
		"darwin/odailies-uploader.plist":  "<key>ExitTimeOut</key>\n\t<integer>" + secs + "</integer>",
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "packaging", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q: the stop ladder and the service file disagree", file, want)
		}
	}
}

func TestInstallOnAPackageMachineRunsAsThePackageUser(t *testing.T) {
	cfg := serviceTestConfig(t, "")
	exists := func(name string) bool { return name == config.PackageUser }
	for _, tc := range []struct {
		goos    string
		hasUser func(string) bool
		want    string
	}{
		{"linux", exists, config.PackageUser},
		{"linux", nil, ""},
		{"darwin", exists, ""},
		{"windows", exists, ""},
	} {
		sc, err := serviceConfigFor(cfg, cfg.Path, serviceHost{goos: tc.goos, exe: "/usr/bin/odailies-uploader", hasUser: tc.hasUser})
		if err != nil {
			t.Fatal(err)
		}
		if sc.UserName != tc.want {
			t.Errorf("%s (package user there: %v): UserName %q, want %q", tc.goos, tc.hasUser != nil, sc.UserName, tc.want)
		}
		if tc.want == "" && tc.goos != "windows" && !strings.Contains(RunsAs(sc, tc.goos), "root (set [service] user") {
			t.Errorf("%s: RunsAs = %q, want the root warning", tc.goos, RunsAs(sc, tc.goos))
		}
	}
}
