package pip

import (
	"fmt"
	"regexp"
	"strings"
)

// LockPinPythonError: the index has the version a lock pins, but every file
// of it declares a Requires-Python that excludes the build's interpreter,
// so pip skipped it (its "Ignored the following versions that require a
// different python version" line).
type LockPinPythonError struct {
	File, Package, Version string
	// RequiresPython is the pinned version's Requires-Python, e.g. ">=3.14".
	RequiresPython string
	// Python is the build's interpreter, e.g. 3.13.5.
	Python string
	// Tail is the end of pip's output.
	Tail []string
}

func (e LockPinPythonError) Error() string {
	return fmt.Sprintf("%s pins %s %s, which requires Python %s; the build uses Python %s, so pip skipped it",
		e.File, e.Package, e.Version, e.RequiresPython, e.Python)
}

// ignoredForPython is pip's line listing the versions it skipped for their
// Requires-Python: "...: 1.0 Requires-Python >=3.14; 1.1 Requires-Python <3.8".
var ignoredForPython = regexp.MustCompile(`Ignored the following versions that require a different python version: (.*)`)

// requiresPythonOf is the Requires-Python pip reported for version, when
// pip skipped that version for it.
func requiresPythonOf(pipOutput, version string) (string, bool) {
	for _, m := range ignoredForPython.FindAllStringSubmatch(pipOutput, -1) {
		for _, entry := range strings.Split(m[1], "; ") {
			v, spec, ok := strings.Cut(strings.TrimSpace(entry), " Requires-Python ")
			if ok && v == version {
				return strings.TrimSpace(spec), true
			}
		}
	}
	return "", false
}
