package packaging

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed templates/systemd.service
var systemdTemplate string

// SystemdUnit renders the systemd unit for p: started after the network is
// online, restarted on failure, stopped with SIGTERM and a short timeout.
func SystemdUnit(p UnitParams) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("systemd unit: %w", err)
	}
	words := []string{systemdWord(p.Path)}
	for _, a := range p.Args {
		words = append(words, systemdWord(a))
	}
	return render(systemdTemplate, map[string]string{
		"NAME":        p.Name,
		"DESCRIPTION": systemdSpecifiers.Replace(p.Description),
		"EXEC_START":  strings.Join(words, " "),
		"USER":        p.User,
	})
}

// systemdSpecifiers escapes what systemd would expand: %n and the like in
// every setting, $VAR in command lines.
var systemdSpecifiers = strings.NewReplacer("%", "%%")

// systemdWord makes s one word of an ExecStart= line, quoting it when it
// holds blanks, quotes, backslashes or is a lone ";".
func systemdWord(s string) string {
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && s != ";" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
