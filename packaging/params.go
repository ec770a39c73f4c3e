package packaging

import (
	"errors"
	"fmt"
	"strings"
)

// UnitParams is what the service files say about the daemon.
type UnitParams struct {
	Name        string   // service name: the launchd Label; the unit is Name.service
	Description string   // one line
	Path        string   // absolute path of the executable
	Args        []string // its arguments, each one word whatever it holds
	User        string   // run as this user; empty: root
	ErrorLog    string   // launchd only: absolute path for the process's stderr; empty: none
}

// check refuses what the files could not hold: relative paths, and control
// characters in any value (a newline would start a new setting).
func (p UnitParams) check() error {
	if p.Name == "" {
		return errors.New("service name is empty")
	}
	if !strings.HasPrefix(p.Path, "/") {
		return fmt.Errorf("executable %q: not an absolute path", p.Path)
	}
	if p.ErrorLog != "" && !strings.HasPrefix(p.ErrorLog, "/") {
		return fmt.Errorf("error log %q: not an absolute path", p.ErrorLog)
	}
	values := map[string]string{
		"service name": p.Name, "description": p.Description, "executable": p.Path,
		"user": p.User, "error log": p.ErrorLog,
	}
	for i, a := range p.Args {
		values[fmt.Sprintf("argument %d", i+1)] = a
	}
	for what, v := range values {
		if err := checkText(what, v); err != nil {
			return err
		}
	}
	return nil
}
