package app

import (
	"fmt"
	"strings"
)

// UnsupportedVariableError names every variable given to the build that
// would make pip install somewhere other than the application's virtual
// environment, or make Python ignore it: all of them, so one failed build
// shows everything to remove.
type UnsupportedVariableError struct {
	Variables []UnsupportedVariable
}

// UnsupportedVariable is one such variable, its value and what it would break.
type UnsupportedVariable struct {
	Name, Value string
	// Why says what the variable would break.
	Why string
}

func (v UnsupportedVariable) String() string {
	return fmt.Sprintf("%s=%q is set for the build: %s", v.Name, v.Value, v.Why)
}

// Names are the variables' names, in the table's order.
func (e UnsupportedVariableError) Names() []string {
	names := make([]string, len(e.Variables))
	for i, v := range e.Variables {
		names[i] = v.Name
	}
	return names
}

func (e UnsupportedVariableError) Error() string {
	lines := make([]string, len(e.Variables))
	for i, v := range e.Variables {
		lines[i] = v.String()
	}
	return strings.Join(lines, "; ")
}

// unsupportedVariables break an install into the venv: pip would install
// elsewhere, or the interpreter would not be the venv's.
var unsupportedVariables = []struct{ name, why string }{
	{"PIP_TARGET", "pip would install the packages into that directory instead of the application's virtual environment, so the app could not import them"},
	{"PIP_PREFIX", "pip would install the packages under that prefix instead of the application's virtual environment"},
	{"PIP_ROOT", "pip would install the packages under that root directory instead of the application's virtual environment"},
	{"PIP_USER", "pip would install into the user's site-packages, which a virtual environment does not allow"},
	{"PYTHONHOME", "Python would look for its standard library there instead of in the installed runtime"},
	{"PYTHONUSERBASE", "Python would add a user site directory outside the image's virtual environment"},
	{"VIRTUAL_ENV", "warpdrive creates the application's virtual environment itself; another one would be ignored or mixed in"},
}

// CheckBuildVariables finds, up front, all the variables that would break
// the install (as one error) and those warpdrive overrides (as warnings).
func CheckBuildVariables(lookup func(string) (string, bool)) (warnings []string, err error) {
	var bad UnsupportedVariableError
	for _, v := range unsupportedVariables {
		if value, ok := lookup(v.name); ok && strings.TrimSpace(value) != "" {
			bad.Variables = append(bad.Variables, UnsupportedVariable{Name: v.name, Value: value, Why: v.why})
		}
	}
	if len(bad.Variables) > 0 {
		return nil, bad
	}
	if value, ok := lookup("PIP_CACHE_DIR"); ok && value != "" {
		warnings = append(warnings, fmt.Sprintf("PIP_CACHE_DIR=%s is not used: warpdrive keeps pip's cache in its pip-cache layer, "+
			"which the platform restores for the next build (a directory of the build container would be lost when it ends)", value))
	}
	return warnings, nil
}

// EnvironmentFileError: a line of .warpdrive/environment is not NAME=value.
type EnvironmentFileError struct {
	Path string
	Line int
	Text string
}

func (e EnvironmentFileError) Error() string {
	return fmt.Sprintf("%s line %d: expected NAME=value, found %q", e.Path, e.Line, e.Text)
}
