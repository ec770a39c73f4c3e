package packaging

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed templates/launchd.plist
var launchdTemplate string

// LaunchdPlist renders the LaunchDaemon property list for p: loaded at boot,
// kept alive (relaunched at most every 10 s), given 15 s to stop.
func LaunchdPlist(p UnitParams) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("launchd plist: %w", err)
	}
	args := []string{plistString(p.Path)}
	for _, a := range p.Args {
		args = append(args, plistString(a))
	}
	return render(launchdTemplate, map[string]string{
		"LABEL":             xmlEscaper.Replace(p.Name),
		"PROGRAM_ARGUMENTS": strings.Join(args, "\n"),
		"USER":              xmlEscaper.Replace(p.User),
		"ERROR_LOG":         xmlEscaper.Replace(p.ErrorLog),
	})
}

// xmlEscaper escapes text for an XML element.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// plistString is one <string> line of the ProgramArguments array.
func plistString(s string) string {
	return "\t\t<string>" + xmlEscaper.Replace(s) + "</string>"
}
