package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Procfile is Heroku's list of process types
// (https://devcenter.heroku.com/articles/procfile), in file order.
type Procfile struct {
	Processes []ProcessType
}

// ProcessType is one `name: command` line of a Procfile.
type ProcessType struct {
	Name    string
	Command string
	// Line is the 1-based line number, for messages that point back at the file.
	Line int
}

// ProcfileError says a Procfile line is not a usable `name: command`.
type ProcfileError struct {
	Line int
	Text string
	Why  string
}

func (e ProcfileError) Error() string {
	return fmt.Sprintf("Procfile line %d %q: %s", e.Line, e.Text, e.Why)
}

// Get returns the process type called name.
func (p Procfile) Get(name string) (ProcessType, bool) {
	for _, pt := range p.Processes {
		if pt.Name == name {
			return pt, true
		}
	}
	return ProcessType{}, false
}

// Names are the process types, in file order.
func (p Procfile) Names() []string {
	names := make([]string, 0, len(p.Processes))
	for _, pt := range p.Processes {
		names = append(names, pt.Name)
	}
	return names
}

// ReadProcfile reads dir/Procfile; ok is false when there is none.
func ReadProcfile(dir string) (p Procfile, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, "Procfile"))
	if errors.Is(err, fs.ErrNotExist) {
		return Procfile{}, false, nil
	}
	if err != nil {
		return Procfile{}, false, err
	}
	p, err = parseProcfile(string(data))
	return p, true, err
}

// parseProcfile follows Heroku's `^([A-Za-z0-9_-]+):\s*(.+)$`, but where Heroku
// silently skips a line that does not match (or lets a later duplicate win), it
// is refused here: either is almost always a typo that would otherwise surface
// only as an application that does not start the way its author expects.
func parseProcfile(text string) (Procfile, error) {
	// Editors on Windows save a BOM and CRLF; neither is part of the content.
	text = strings.TrimPrefix(text, "\uFEFF")
	var p Procfile
	seen := map[string]int{}
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The first colon separates: commands are full of them (server:app, 0.0.0.0:$PORT).
		name, command, found := strings.Cut(line, ":")
		command = strings.TrimSpace(command)
		switch {
		// "web gunicorn server:app" has a colon, but in the command: the name is missing.
		case !found || strings.ContainsAny(strings.TrimSpace(name), " \t"):
			return Procfile{}, ProcfileError{Line: n, Text: line, Why: `expected "name: command", e.g. "web: gunicorn server:app"`}
		case !validProcessName(name):
			return Procfile{}, ProcfileError{Line: n, Text: line, Why: fmt.Sprintf(`process type name %q may only contain letters, digits, "-" and "_"`, name)}
		case command == "":
			return Procfile{}, ProcfileError{Line: n, Text: line, Why: fmt.Sprintf("process type %q has no command", name)}
		}
		if first, dup := seen[name]; dup {
			return Procfile{}, ProcfileError{Line: n, Text: line,
				Why: fmt.Sprintf("process type %q is already defined on line %d (Heroku would silently use line %d); keep only one", name, first, n)}
		}
		seen[name] = n
		p.Processes = append(p.Processes, ProcessType{Name: name, Command: command, Line: n})
	}
	return p, nil
}

// validProcessName reports whether name matches [A-Za-z0-9_-]+.
func validProcessName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
