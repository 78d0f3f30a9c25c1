package app

import (
	"fmt"
	"strings"
)

// UnsupportedVariableError says a variable given to the build would make pip
// install somewhere other than the application's virtual environment, or make
// Python ignore it.
type UnsupportedVariableError struct {
	Name, Value string
	// Why says what the variable would break.
	Why string
}

func (e UnsupportedVariableError) Error() string {
	return fmt.Sprintf("%s=%q is set for the build: %s", e.Name, e.Value, e.Why)
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

// CheckBuildEnvironment finds, up front, the variables that would break the
// install (as an error) and those warpdrive overrides (as warnings).
func CheckBuildEnvironment(lookup func(string) (string, bool)) (warnings []string, err error) {
	for _, v := range unsupportedVariables {
		if value, ok := lookup(v.name); ok && strings.TrimSpace(value) != "" {
			return nil, UnsupportedVariableError{Name: v.name, Value: value, Why: v.why}
		}
	}
	if value, ok := lookup("PIP_CACHE_DIR"); ok && value != "" {
		warnings = append(warnings, fmt.Sprintf("PIP_CACHE_DIR=%s is not used: warpdrive keeps pip's cache in its pip-cache layer, "+
			"which the platform restores for the next build (a directory of the build container would be lost when it ends)", value))
	}
	return warnings, nil
}
