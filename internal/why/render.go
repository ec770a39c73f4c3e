package why

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Write prints r for people: per path, "PATH: state", the reason, what to
// do and what could not be known, each on its own indented line. A
// folder's counts come first, then each file that is not done.
func Write(w io.Writer, r Result) error {
	var b strings.Builder
	if !r.DaemonRunning {
		b.WriteString("The daemon is not running: answers come from the queue file and the rules.\n")
	}
	for i, a := range r.Answers {
		if i > 0 || !r.DaemonRunning {
			b.WriteByte('\n')
		}
		writeAnswer(&b, a, "")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints r as indented JSON (the keys of the package doc).
func WriteJSON(w io.Writer, r Result) error {
	if r.Answers == nil {
		r.Answers = []Answer{}
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the answers: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func writeAnswer(b *strings.Builder, a Answer, indent string) {
	name := a.Path
	if a.Watch != "" {
		name = "[" + a.Watch + "] " + name
	}
	fmt.Fprintf(b, "%s%s: %s\n", indent, name, a.State)
	line := func(prefix, s string) {
		if s != "" {
			fmt.Fprintf(b, "%s  %s%s\n", indent, prefix, s)
		}
	}
	line("", a.Reason)
	line("fix: ", a.Fix)
	for _, u := range a.Unknown {
		line("not known: ", u)
	}
	if a.Folder == nil {
		return
	}
	for _, f := range a.Folder.Files {
		writeAnswer(b, f, indent+"  ")
	}
	if a.Folder.More > 0 {
		line("", fmt.Sprintf("… and %d more not done", a.Folder.More))
	}
}

// stateOrder is the order folder counts are printed in.
var stateOrder = []State{Done, Active, Queued, Settling, HeldOpen, NotSeen, Failed, Unreadable, Gone, Missing, Ignored}

// CountsLine is a folder's counts in words: "3 done, 1 failed, 2 ignored";
// "no files" when empty.
func CountsLine(c map[State]int) string {
	var parts []string
	for _, s := range stateOrder {
		if n := c[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	var rest []string
	for s, n := range c {
		if n > 0 && !slices.Contains(stateOrder, s) {
			rest = append(rest, fmt.Sprintf("%d %s", n, s))
		}
	}
	slices.Sort(rest)
	parts = append(parts, rest...)
	if len(parts) == 0 {
		return "no files"
	}
	return strings.Join(parts, ", ")
}

// Print writes r as JSON (asJSON) or for people (Write).
func Print(w io.Writer, r Result, asJSON bool) error {
	if asJSON {
		return WriteJSON(w, r)
	}
	return Write(w, r)
}

// Unreadable reports whether a path could not be read (the command's
// exit 1).
func (r Result) Unreadable() bool {
	for _, a := range r.Answers {
		if a.State == Unreadable {
			return true
		}
	}
	return false
}
