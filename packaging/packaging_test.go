package packaging

import (
	"strings"
	"testing"
)

// params is a valid UnitParams for tests to vary.
func params() UnitParams {
	return UnitParams{
		Name:        "odailies-uploader",
		Description: "Uploads graded clips and thumbnails to oDailies",
		Path:        "/usr/bin/odailies-uploader",
		Args:        []string{"run", "-config", "/etc/odailies-uploader/config.toml"},
		User:        "odailies-uploader",
		ErrorLog:    "/Library/Logs/odailies-uploader/stderr.log",
	}
}

func TestSystemdUnitLines(t *testing.T) {
	unit, err := SystemdUnit(params())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Description=Uploads graded clips and thumbnails to oDailies\n",
		"Wants=network-online.target\n",
		"After=network-online.target\n",
		"ExecStart=/usr/bin/odailies-uploader run -config /etc/odailies-uploader/config.toml\n",
		"User=odailies-uploader\n",
		"Restart=on-failure\n",
		"LimitNOFILE=65536\n",
		"WantedBy=multi-user.target\n",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	if strings.Contains(unit, "@") {
		t.Errorf("unit has an unrendered placeholder:\n%s", unit)
	}
}

func TestSystemdUnitWithoutUserRunsAsRoot(t *testing.T) {
	p := params()
	p.User = ""
	unit, err := SystemdUnit(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(unit, "User=") {
		t.Errorf("unit names a user:\n%s", unit)
	}
}

func TestSystemdUnitQuotesAndEscapes(t *testing.T) {
	p := params()
	p.Description = "100% of the dailies"
	p.Path = "/opt/o dailies/odailies-uploader"
	p.Args = []string{"run", "-config", `/srv/a "b"\c $HOME%n.toml`, "", ";"}
	unit, err := SystemdUnit(p)
	if err != nil {
		t.Fatal(err)
	}
	wantExec := `ExecStart="/opt/o dailies/odailies-uploader" run -config "/srv/a \"b\"\\c $$HOME%%n.toml" "" ";"` + "\n"
	if !strings.Contains(unit, wantExec) {
		t.Errorf("unit lacks %q:\n%s", wantExec, unit)
	}
	if !strings.Contains(unit, "Description=100%% of the dailies\n") {
		t.Errorf("description not escaped:\n%s", unit)
	}
}

func TestLaunchdPlist(t *testing.T) {
	p := params()
	p.Args = []string{"run", "-config", "/Library/Application Support/o&d <x>/config.toml"}
	plist, err := LaunchdPlist(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<key>Label</key>\n\t<string>odailies-uploader</string>\n",
		"\t\t<string>/usr/bin/odailies-uploader</string>\n\t\t<string>run</string>\n\t\t<string>-config</string>\n" +
			"\t\t<string>/Library/Application Support/o&amp;d &lt;x&gt;/config.toml</string>\n\t</array>\n",
		"<key>UserName</key><string>odailies-uploader</string>\n",
		"<key>RunAtLoad</key>\n\t<true/>\n",
		"<key>KeepAlive</key>\n\t<true/>\n",
		"<key>StandardErrorPath</key><string>/Library/Logs/odailies-uploader/stderr.log</string>\n",
	} {
		if !strings.Contains(plist, want) {
			t.Errorf("plist lacks %q:\n%s", want, plist)
		}
	}
}

func TestLaunchdPlistOptionalKeys(t *testing.T) {
	p := params()
	p.User, p.ErrorLog = "", ""
	plist, err := LaunchdPlist(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"UserName", "StandardErrorPath"} {
		if strings.Contains(plist, gone) {
			t.Errorf("plist has %s:\n%s", gone, plist)
		}
	}
}

func TestUnitParamsRejected(t *testing.T) {
	for name, change := range map[string]func(*UnitParams){
		"relative path":      func(p *UnitParams) { p.Path = "odailies-uploader" },
		"no name":            func(p *UnitParams) { p.Name = "" },
		"newline in arg":     func(p *UnitParams) { p.Args[2] = "a\nExecStartPre=/bin/evil" },
		"newline in desc":    func(p *UnitParams) { p.Description = "a\nb" },
		"tab in user":        func(p *UnitParams) { p.User = "a\tb" },
		"relative error log": func(p *UnitParams) { p.ErrorLog = "stderr.log" },
	} {
		t.Run(name, func(t *testing.T) {
			p := params()
			change(&p)
			if _, err := SystemdUnit(p); err == nil {
				t.Error("SystemdUnit accepted it")
			}
			if _, err := LaunchdPlist(p); err == nil {
				t.Error("LaunchdPlist accepted it")
			}
		})
	}
}

func TestRenderMissingValue(t *testing.T) {
	if _, err := render("A=@A@\nB=@B@\n", map[string]string{"A": "x"}); err == nil {
		t.Fatal("render accepted a template with an unknown placeholder")
	}
}
